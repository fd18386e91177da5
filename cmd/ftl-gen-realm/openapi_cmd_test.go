package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ftlrealm/ftl-gen-realm/internal/gotest"
)

// apiConsumer calls every operation of the Petstore (OpenAPI 3.0) and
// Museum (OpenAPI 3.1) realms through the generated clients and prints
// what came back, for TestOpenAPIEndToEnd to compare.
const apiConsumer = `package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"connectrpc.com/connect"

	"ftl/realm/museum/events"
	"ftl/realm/museum/operations"
	"ftl/realm/museum/tickets"
	"ftl/realm/petstore/pet"
	"ftl/realm/petstore/store"
	"ftl/realm/petstore/user"

	"github.com/ftlrealm/ftl-gen-realm/runtime/ftlrealm"
)

func verbError(err error) string {
	var ve *ftlrealm.VerbError
	if errors.As(err, &ve) {
		return "verb error: " + ve.Message
	}
	return fmt.Sprint("not a verb error: ", connect.CodeOf(err), " ", err != nil)
}

func check(what string, err error) {
	if err != nil {
		panic(what + ": " + err.Error())
	}
}

func main() {
	ctx := context.Background()
	some := ftlrealm.Some[string]

	// Petstore: an optional field left unset (category, id) is left out of
	// the JSON the API gets; ogen's server refuses null for it.
	rex, err := pet.AddPet(ctx, pet.AddPetRequest{Body: pet.Pet{Name: "Rex", PhotoUrls: []string{"r.png"},
		Tags: ftlrealm.Some([]pet.Tag{{Name: some("dog")}}), Status: ftlrealm.Some(pet.PetStatusAvailable)}})
	check("addPet", err)
	id, _ := rex.Id.Get()
	fmt.Println("addPet:", id, rex.Name, rex.Category.Ok(), rex.Status)
	tom, err := pet.AddPet(ctx, pet.AddPetRequest{Body: pet.Pet{Name: "Tom", PhotoUrls: []string{},
		Category: ftlrealm.Some(pet.Category{Name: some("cats")}), Tags: ftlrealm.Some([]pet.Tag{{Name: some("cat")}}), Status: ftlrealm.Some(pet.PetStatusPending)}})
	check("addPet", err)
	tomID, _ := tom.Id.Get()
	cat, _ := tom.Category.Get()
	fmt.Println("addPet:", tomID, tom.Name, cat.Name, tom.Status)
	tom.Status = ftlrealm.Some(pet.PetStatusAvailable)
	tom, err = pet.UpdatePet(ctx, pet.UpdatePetRequest{Body: tom})
	fmt.Println("updatePet:", tom.Status, err)
	found, err := pet.FindPetsByStatus(ctx, pet.FindPetsByStatusRequest{Status: ftlrealm.Some(pet.Available)})
	fmt.Println("findPetsByStatus:", len(found), err)
	// A query array: tags=dog&tags=cat.
	found, err = pet.FindPetsByTags(ctx, pet.FindPetsByTagsRequest{Tags: ftlrealm.Some([]string{"dog", "cat"})})
	fmt.Println("findPetsByTags:", len(found), err)
	got, err := pet.GetPetById(ctx, pet.GetPetByIdRequest{PetId: id})
	fmt.Println("getPetById:", got.Name, got.PhotoUrls, err)
	_, err = pet.GetPetById(ctx, pet.GetPetByIdRequest{PetId: 404})
	fmt.Println("getPetById 404:", verbError(err))
	got, err = pet.UpdatePetWithForm(ctx, pet.UpdatePetWithFormRequest{PetId: id, Name: some("Rex II"), Status: some("sold")})
	fmt.Println("updatePetWithForm:", got.Name, got.Status, err)
	inv, err := store.GetInventory(ctx)
	fmt.Println("getInventory:", inv, err)
	fmt.Println("deletePet:", pet.DeletePet(ctx, pet.DeletePetRequest{PetId: tomID}))

	// The caller's deadline reaches the API's server, which waits for it.
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	start := time.Now()
	_, err = pet.GetPetById(short, pet.GetPetByIdRequest{PetId: 999})
	cancel()
	fmt.Println("deadline:", connect.CodeOf(err), errors.Is(err, context.DeadlineExceeded), time.Since(start) < 5*time.Second)

	o, err := store.PlaceOrder(ctx, store.PlaceOrderRequest{Body: ftlrealm.Some(store.Order{PetId: ftlrealm.Some(id), Quantity: ftlrealm.Some(2),
		ShipDate: ftlrealm.Some(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)), Status: ftlrealm.Some(store.Placed)})})
	check("placeOrder", err)
	oid, _ := o.Id.Get()
	o, err = store.GetOrderById(ctx, store.GetOrderByIdRequest{OrderId: oid})
	ship, _ := o.ShipDate.Get()
	fmt.Println("getOrderById:", o.Quantity, ship.Format(time.RFC3339), o.Status, o.Complete.Ok(), err)
	fmt.Println("deleteOrder:", store.DeleteOrder(ctx, store.DeleteOrderRequest{OrderId: oid}))
	fmt.Println("deleteOrder again:", verbError(store.DeleteOrder(ctx, store.DeleteOrderRequest{OrderId: oid})))

	// A path parameter that needs escaping.
	odd := "ann/bo b?x=1#%"
	u, err := user.CreateUser(ctx, user.CreateUserRequest{Body: ftlrealm.Some(user.User{Username: some(odd), Password: some("pw"), UserStatus: ftlrealm.Some(1)})})
	fmt.Println("createUser:", u.Username, err)
	u, err = user.CreateUsersWithListInput(ctx, user.CreateUsersWithListInputRequest{Body: ftlrealm.Some([]user.User{{Username: some("bo")}, {Username: some("cy"), Email: some("cy@example.com")}})})
	fmt.Println("createUsersWithListInput:", u.Username, u.Email, err)
	token, err := user.LoginUser(ctx, user.LoginUserRequest{Username: some(odd), Password: some("pw")})
	fmt.Printf("loginUser: %q %v\n", token, err)
	fmt.Println("logoutUser:", user.LogoutUser(ctx))
	u, err = user.GetUserByName(ctx, user.GetUserByNameRequest{Username: odd})
	fmt.Println("getUserByName:", u.Username, u.UserStatus, err)
	err = user.UpdateUser(ctx, user.UpdateUserRequest{Username: odd, Body: ftlrealm.Some(user.User{Username: some(odd), FirstName: some("Ann")})})
	fmt.Println("updateUser:", err)
	u, err = user.GetUserByName(ctx, user.GetUserByNameRequest{Username: odd})
	fmt.Println("getUserByName:", u.FirstName, u.Password.Ok(), err)
	fmt.Println("deleteUser:", user.DeleteUser(ctx, user.DeleteUserRequest{Username: odd}))
	_, err = user.GetUserByName(ctx, user.GetUserByNameRequest{Username: odd})
	fmt.Println("getUserByName gone:", verbError(err))

	// Museum (OpenAPI 3.1).
	hours, err := operations.GetMuseumHours(ctx, operations.GetMuseumHoursRequest{StartDate: some("2025-03-01"), Limit: ftlrealm.Some(2)})
	fmt.Println("getMuseumHours:", hours, err)
	ev, err := events.CreateSpecialEvent(ctx, events.CreateSpecialEventRequest{Body: events.SpecialEvent{Name: "Pirates", Location: "Hall 1",
		EventDescription: "Arr.", Dates: []string{"2025-04-01", "2025-04-02"}, Price: 12.5}})
	check("createSpecialEvent", err)
	evID, _ := ev.EventId.Get()
	fmt.Println("createSpecialEvent:", evID, ev.Name, ev.Dates, ev.Price)
	list, err := events.ListSpecialEvents(ctx, events.ListSpecialEventsRequest{Limit: ftlrealm.Some(10)})
	fmt.Println("listSpecialEvents:", len(list), err)
	ev, err = events.GetSpecialEvent(ctx, events.GetSpecialEventRequest{EventId: evID})
	fmt.Println("getSpecialEvent:", ev.Location, err)
	ev, err = events.UpdateSpecialEvent(ctx, events.UpdateSpecialEventRequest{EventId: evID, Body: events.SpecialEventFields{Price: ftlrealm.Some(15.0)}})
	fmt.Println("updateSpecialEvent:", ev.Name, ev.Price, err)
	fmt.Println("deleteSpecialEvent:", events.DeleteSpecialEvent(ctx, events.DeleteSpecialEventRequest{EventId: evID}))
	// A 404 with a JSON error body.
	_, err = events.GetSpecialEvent(ctx, events.GetSpecialEventRequest{EventId: evID})
	fmt.Println("getSpecialEvent 404:", verbError(err))
	_, err = events.GetSpecialEvent(ctx, events.GetSpecialEventRequest{EventId: "not a uuid/.."})
	fmt.Println("getSpecialEvent bad id:", verbError(err))
	conf, err := tickets.BuyMuseumTickets(ctx, tickets.BuyMuseumTicketsRequest{Body: tickets.BuyMuseumTickets2{TicketDate: "2025-05-05", TicketType: tickets.General}})
	fmt.Println("buyMuseumTickets:", conf.Message, conf.ConfirmationCode, conf.TicketDate, conf.EventId.Ok(), err)
}
`

const apiWant = `addPet: 1 Rex false Some(available)
addPet: 2 Tom Some(cats) Some(pending)
updatePet: Some(available) <nil>
findPetsByStatus: 2 <nil>
findPetsByTags: 2 <nil>
getPetById: Rex [r.png] <nil>
getPetById 404: verb error: 404 Not Found
updatePetWithForm: Rex II Some(sold) <nil>
getInventory: map[available:1 sold:1] <nil>
deletePet: <nil>
deadline: deadline_exceeded true true
getOrderById: Some(2) 2025-01-02T03:04:05Z Some(placed) false <nil>
deleteOrder: <nil>
deleteOrder again: verb error: 404 Not Found
createUser: Some(ann/bo b?x=1#%) <nil>
createUsersWithListInput: Some(cy) Some(cy@example.com) <nil>
loginUser: "session-for-ann/bo b?x=1#%" <nil>
logoutUser: <nil>
getUserByName: Some(ann/bo b?x=1#%) Some(1) <nil>
updateUser: <nil>
getUserByName: Some(Ann) false <nil>
deleteUser: <nil>
getUserByName gone: verb error: 404 Not Found
getMuseumHours: [{2025-03-01 09:00 18:00} {2025-03-02 09:00 18:00}] <nil>
createSpecialEvent: X Pirates [2025-04-01 2025-04-02] 12.5
listSpecialEvents: 1 <nil>
getSpecialEvent: Hall 1 <nil>
updateSpecialEvent: Pirates 15 <nil>
deleteSpecialEvent: <nil>
getSpecialEvent 404: verb error: 404 Not Found: {"type":"object","title":"event X not found"}
getSpecialEvent bad id: verb error: 400 Bad Request: X
buyMuseumTickets: General ticket bought ticket-general 2025-05-05 false <nil>
`

// startAPIServers builds the ogen-generated servers of testdata (a module
// of their own, built with the real go command from the module cache, or
// the module proxy the first time) and runs them until the test ends.
func startAPIServers(t *testing.T) (petstore, museum string) {
	t.Helper()
	dir := filepath.Join(gotest.RepoRoot(), "openapirealm", "testdata", "apiservers")
	bin := filepath.Join(t.TempDir(), "apiservers")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = dir
	build.Env = append(os.Environ(), "GOFLAGS=-mod=readonly", "GOWORK=off", "GOTOOLCHAIN=local")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the ogen servers: %v\n%s", err, out)
	}
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "PETSTORE_API_KEY=pet-key-123")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := bufio.NewScanner(stdout)
	urls := map[string]string{}
	for len(urls) < 2 && lines.Scan() {
		name, url, _ := strings.Cut(lines.Text(), " ")
		urls[name] = url
	}
	if urls["petstore"] == "" || urls["museum"] == "" {
		t.Fatalf("the ogen servers printed %v", urls)
	}
	return urls["petstore"], urls["museum"]
}

func specFile(name string) string {
	return filepath.Join(gotest.RepoRoot(), "openapirealm", "testdata", "specs", name)
}

// TestOpenAPIEndToEnd is issue 21's acceptance test: servers that ogen
// generated from Swagger's Petstore (OpenAPI 3.0) and Redocly's Museum
// (OpenAPI 3.1), `import openapi`, `gen`, `proxy http` with an API key
// from the environment, and a consumer built with the go command that
// calls every operation through the generated clients.
func TestOpenAPIEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	t.Setenv("FTL_CONFIG", "")
	petURL, museumURL := startAPIServers(t)
	root := t.TempDir()
	cache := filepath.Join(root, ".ftl", "realms")
	if err := os.MkdirAll(cache, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ realm, spec, stdout, stderr string }{
		{"petstore", "petstore.yaml", "realm petstore, 18 verbs in 3 modules", "warning: operation POST /pet/{petId}/uploadImage skipped: its request body is not JSON (application/octet-stream)"},
		{"museum", "museum.yaml", "realm museum, 7 verbs in 3 modules", "warning: operation GET /tickets/{ticketId}/qr skipped: its 200 response is not JSON (image/png)"},
	} {
		out := filepath.Join(cache, tc.realm+"-"+commit+".txtpb")
		code, stdout, stderr := runCLI(t, "import", "openapi", "--realm", tc.realm, "--spec", specFile(tc.spec), "--out", out)
		if code != 0 || !strings.Contains(stdout, tc.stdout) || !strings.Contains(stderr, tc.stderr) {
			t.Fatalf("import %s: exit %d\nstdout %q\nstderr %q", tc.spec, code, stdout, stderr)
		}
	}
	writeTestFile(t, filepath.Join(root, "ftl-project.toml"), "name = \"echo\"\n"+
		"\n[realms.egress.petstore]\ngit-repo = \"no-such-repo\"\ngit-branch = \"main\"\ngit-commit = \""+commit+"\"\n"+
		"\n[realms.egress.museum]\ngit-repo = \"no-such-repo\"\ngit-branch = \"main\"\ngit-commit = \""+commit+"\"\n")
	echo := filepath.Join(root, "echo")
	gotest.Consumer(t, echo, "ftl/echo")
	writeTestFile(t, filepath.Join(echo, "main.go"), apiConsumer)
	if code, _, stderr := runCLI(t, "gen", "--dir", echo); code != 0 {
		t.Fatalf("gen: exit %d: %s", code, stderr)
	}

	t.Setenv("PETSTORE_KEY", "pet-key-123")
	t.Setenv("PETSTORE_BEARER", "Bearer pet-key-123")
	t.Setenv("MUSEUM_AUTH", "Basic dXNlcjpwYXNz")
	serving := regexp.MustCompile(`serving realm \w+ at (http://127\.0\.0\.1:\d+),`)
	petProxy, _ := startServing(t, []string{"proxy", "http", "--schema", filepath.Join(cache, "petstore-"+commit+".txtpb"), "--spec", specFile("petstore.yaml"),
		"--target", petURL, "--listen", "127.0.0.1:0", "--header", "api_key=env:PETSTORE_KEY", "--header", "Authorization=env:PETSTORE_BEARER"}, serving)
	museumProxy, _ := startServing(t, []string{"proxy", "http", "--schema", filepath.Join(cache, "museum-"+commit+".txtpb"), "--spec", specFile("museum.yaml"),
		"--target", museumURL, "--listen", "127.0.0.1:0", "--header", "Authorization=env:MUSEUM_AUTH"}, serving)
	t.Setenv("FTL_CONFIGURATION_PETSTORE_REALM_ENDPOINT", petProxy)
	t.Setenv("FTL_CONFIGURATION_MUSEUM_REALM_ENDPOINT", museumProxy)
	out, err := gotest.Go(t, echo, "run", ".")
	if err != nil {
		t.Fatalf("go run: %v\n%s", err, out)
	}
	// Event ids are UUIDs the server derives from the name; the 400's body
	// is ogen's own wording.
	out = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`).ReplaceAllString(out, "X")
	out = regexp.MustCompile(`(bad id: verb error: 400 Bad Request: ).*`).ReplaceAllString(out, "${1}X")
	if out != apiWant {
		t.Errorf("consumer printed:\n%s\nwant:\n%s", out, apiWant)
	}
}

// TestImportOpenAPICheck: --check exits 0 when the committed schema is
// what the document gives, and 1 with schema.Diff's report when it is
// stale, for a compatible and for a breaking change; it writes nothing.
func TestImportOpenAPICheck(t *testing.T) {
	dir := t.TempDir()
	committed := filepath.Join(dir, "museum.txtpb")
	if code, _, stderr := runCLI(t, "import", "openapi", "--realm", "museum", "--spec", specFile("museum.yaml"), "--out", committed); code != 0 {
		t.Fatal(stderr)
	}
	code, stdout, _ := runCLI(t, "import", "openapi", "--realm", "museum", "--spec", specFile("museum.yaml"), "--check", committed)
	if code != 0 || stdout != committed+" is in sync with the document (7 verbs in 3 modules)\n" {
		t.Errorf("up to date: exit %d, stdout %q", code, stdout)
	}
	spec := readFile(t, specFile("museum.yaml"))
	for _, tc := range []struct{ name, old, new, stdout, stderr string }{
		{"property added", "        price:\n          $ref: \"#/components/schemas/EventPrice\"\n",
			"        price:\n          $ref: \"#/components/schemas/EventPrice\"\n        capacity:\n          type: integer\n",
			"         field events.SpecialEventFields.capacity added: Int?\n",
			"is out of date with the document (0 breaking changes); re-run import openapi with --out"},
		{"operation removed", "    delete:\n      summary: Delete special event", "    x-delete:\n      summary: Delete special event",
			"BREAKING verb events.deleteSpecialEvent removed",
			"is out of date with the document (2 breaking changes)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(spec, tc.old) {
				t.Fatalf("museum.yaml has no %q", tc.old)
			}
			changed := filepath.Join(t.TempDir(), "museum.yaml")
			writeTestFile(t, changed, strings.Replace(spec, tc.old, tc.new, 1))
			code, stdout, stderr := runCLI(t, "import", "openapi", "--realm", "museum", "--spec", changed, "--check", committed)
			if code != 1 || !strings.Contains(stdout, tc.stdout) || !strings.Contains(stderr, tc.stderr) {
				t.Errorf("exit %d\nstdout %q\nstderr %q", code, stdout, stderr)
			}
		})
	}
	if got := readFile(t, committed); got == "" {
		t.Error("the committed schema was emptied")
	}
}

func TestProxyHTTPErrors(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "museum.txtpb")
	if code, _, stderr := runCLI(t, "import", "openapi", "--realm", "museum", "--spec", specFile("museum.yaml"), "--out", good); code != 0 {
		t.Fatal(stderr)
	}
	changed := filepath.Join(dir, "changed.txtpb")
	writeTestFile(t, changed, strings.Replace(readFile(t, good), `name: "timeOpen"`, `name: "opensAt"`, 1))
	t.Setenv("EMPTY_KEY", "")
	base := []string{"proxy", "http", "--spec", specFile("museum.yaml"), "--listen", "127.0.0.1:0"}
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"literal header value", []string{"--schema", good, "--target", "http://127.0.0.1:1", "--header", "Authorization=Bearer secret"}, 2,
			`--header "Authorization": want NAME=env:VAR (the value comes from environment variable VAR, never from the command line)`},
		{"unset variable", []string{"--schema", good, "--target", "http://127.0.0.1:1", "--header", "api_key=env:EMPTY_KEY"}, 1,
			"--header api_key: environment variable EMPTY_KEY is not set"},
		{"bad header name", []string{"--schema", good, "--target", "http://127.0.0.1:1", "--header", "a b=env:X"}, 2, `"a b" is not a valid header name`},
		{"not a URL", []string{"--schema", good, "--target", "127.0.0.1:1"}, 2, `--target "127.0.0.1:1": want an http:// or https:// URL`},
		{"TLS flags on cleartext", []string{"--schema", good, "--target", "http://127.0.0.1:1", "--target-server-name", "x"}, 2, "need an https:// target"},
		{"schema and document disagree", []string{"--schema", changed, "--target", "http://127.0.0.1:1"}, 1,
			"does not match the schema (re-run `ftl-gen-realm import openapi`); as the document has it now:\nBREAKING field operations.MuseumDailyHours.opensAt removed: String\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, append(base, tc.args...)...)
			if code != tc.code || !strings.Contains(stderr, tc.stderr) {
				t.Errorf("exit %d, stderr %q, want %d and %q", code, stderr, tc.code, tc.stderr)
			}
		})
	}
}
