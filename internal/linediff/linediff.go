// Package linediff renders the difference between two texts as a unified
// diff of their lines, for people to read (`export --check` prints one when
// the committed schema is stale).
package linediff

import (
	"fmt"
	"strings"
)

// maxEdits bounds the work: past this many differing lines the middle of
// the two texts is shown as removed and added whole, which is as readable.
const maxEdits = 2000

type opKind byte

const (
	equal opKind = ' '
	del   opKind = '-'
	ins   opKind = '+'
)

type op struct {
	kind opKind
	text string
}

// Unified returns the unified diff of a and b with context lines of
// context around each change, headed by "--- aName" and "+++ bName"; "" when
// the texts are equal.
func Unified(aName, bName, a, b string, context int) string {
	if a == b {
		return ""
	}
	ops := diff(splitLines(a), splitLines(b))
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", aName, bName)
	for _, h := range hunks(ops, context) {
		out.WriteString(h)
	}
	return out.String()
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// diff returns an edit script turning a into b: the common prefix and
// suffix, and Myers' shortest edit script for the middle.
func diff(a, b []string) []op {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	var ops []op
	for _, l := range a[:pre] {
		ops = append(ops, op{equal, l})
	}
	ops = append(ops, myers(a[pre:len(a)-suf], b[pre:len(b)-suf])...)
	for _, l := range a[len(a)-suf:] {
		ops = append(ops, op{equal, l})
	}
	return ops
}

// myers is Myers' O(ND) algorithm with the trace kept for backtracking.
func myers(a, b []string) []op {
	n, m := len(a), len(b)
	limit := min(n+m, maxEdits)
	off := limit + 1
	v := make([]int, 2*off+1)
	var trace [][]int
	for d := 0; d <= limit; d++ {
		snap := make([]int, 2*d+1)
		copy(snap, v[off-d:off+d+1])
		trace = append(trace, snap)
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				x = v[off+k+1]
			} else {
				x = v[off+k-1] + 1
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x++
				y++
			}
			v[off+k] = x
			if x >= n && y >= m {
				return backtrack(a, b, trace)
			}
		}
	}
	// Too different to be worth aligning.
	var ops []op
	for _, l := range a {
		ops = append(ops, op{del, l})
	}
	for _, l := range b {
		ops = append(ops, op{ins, l})
	}
	return ops
}

func backtrack(a, b []string, trace [][]int) []op {
	var rev []op
	x, y := len(a), len(b)
	for d := len(trace) - 1; d > 0; d-- {
		v := trace[d]
		at := func(k int) int { return v[k+d] }
		k := x - y
		prevK := k - 1
		if k == -d || (k != d && at(k-1) < at(k+1)) {
			prevK = k + 1
		}
		prevX := at(prevK)
		prevY := prevX - prevK
		for x > prevX && y > prevY {
			rev = append(rev, op{equal, a[x-1]})
			x, y = x-1, y-1
		}
		if x == prevX {
			rev = append(rev, op{ins, b[y-1]})
			y--
		} else {
			rev = append(rev, op{del, a[x-1]})
			x--
		}
	}
	for x > 0 && y > 0 {
		rev = append(rev, op{equal, a[x-1]})
		x, y = x-1, y-1
	}
	ops := make([]op, len(rev))
	for i, o := range rev {
		ops[len(rev)-1-i] = o
	}
	return ops
}

// hunks groups the changes of an edit script, with context lines around
// them, into unified diff hunks; changes closer than two contexts share one.
func hunks(ops []op, context int) []string {
	var out []string
	aLine, bLine := make([]int, len(ops)+1), make([]int, len(ops)+1)
	for i, o := range ops {
		aLine[i+1], bLine[i+1] = aLine[i], bLine[i]
		if o.kind != ins {
			aLine[i+1]++
		}
		if o.kind != del {
			bLine[i+1]++
		}
	}
	for i := 0; i < len(ops); {
		if ops[i].kind == equal {
			i++
			continue
		}
		start := max(0, i-context)
		end := i // one past the last change in the hunk
		for j := i; j < len(ops) && j-end <= 2*context; j++ {
			if ops[j].kind != equal {
				end = j + 1
			}
		}
		stop := min(len(ops), end+context)
		var h strings.Builder
		fmt.Fprintf(&h, "@@ -%s +%s @@\n", span(aLine[start], aLine[stop]-aLine[start]), span(bLine[start], bLine[stop]-bLine[start]))
		for _, o := range ops[start:stop] {
			h.WriteByte(byte(o.kind))
			h.WriteString(o.text)
			h.WriteByte('\n')
		}
		out = append(out, h.String())
		i = stop
	}
	return out
}

// span renders a hunk range: the first line (1-based) and the count, or for
// an empty range the line before it.
func span(start, n int) string {
	if n == 0 {
		return fmt.Sprintf("%d,0", start)
	}
	if n == 1 {
		return fmt.Sprintf("%d", start+1)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}
