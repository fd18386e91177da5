package gen
import ("testing";"os";"path/filepath";"time";"strconv";"strings")
func TestTmp(t *testing.T) {
	dir := os.Getenv("CORPUS")
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		lines := strings.Split(string(b), "\n")
		s, _ := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")"))
		start := time.Now()
		rs := randomRealms([]byte(s))
		_, _ = Generate(rs...)
		g := time.Since(start)
		checkGenerated(t, randomRealms([]byte(s)))
		if d := time.Since(start); d > 50*time.Millisecond { t.Log(e.Name(), g, d) }
	}
}
