// Command apiservers serves two APIs on loopback with servers that ogen
// generated from their OpenAPI documents (../specs): Swagger's Petstore
// (OpenAPI 3.0) and Redocly's Museum (OpenAPI 3.1). The handlers are a
// small in-memory store; routing, parameter decoding, JSON and status
// codes are ogen's. It prints the two base URLs and serves until killed.
//
// Petstore checks the api_key header, and the OAuth bearer token, against
// $PETSTORE_API_KEY, and its
// getPetById waits for the request's context when asked for pet 999, for
// the proxy's deadline test.
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"apiservers/museum"
	"apiservers/petstore"
)

func main() {
	pet, err := petstore.NewServer(newPets(), petAuth{})
	if err != nil {
		panic(err)
	}
	mus, err := museum.NewServer(newMuseum(), museumAuth{})
	if err != nil {
		panic(err)
	}
	var urls []string
	for _, h := range []http.Handler{pet, mus} {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			panic(err)
		}
		urls = append(urls, "http://"+l.Addr().String())
		go func() { panic(http.Serve(l, h)) }()
	}
	fmt.Println("petstore", urls[0])
	fmt.Println("museum", urls[1])
	select {}
}

type petAuth struct{}

func (petAuth) HandleAPIKey(ctx context.Context, _ petstore.OperationName, t petstore.APIKey) (context.Context, error) {
	if want := os.Getenv("PETSTORE_API_KEY"); want == "" || t.APIKey != want {
		return ctx, errors.New("wrong api_key")
	}
	return ctx, nil
}

// HandlePetstoreAuth takes $PETSTORE_API_KEY as the OAuth bearer token too.
func (petAuth) HandlePetstoreAuth(ctx context.Context, _ petstore.OperationName, t petstore.PetstoreAuth) (context.Context, error) {
	if want := os.Getenv("PETSTORE_API_KEY"); want == "" || t.Token != want {
		return ctx, errors.New("wrong bearer token")
	}
	return ctx, nil
}

type pets struct {
	petstore.UnimplementedHandler
	mu     sync.Mutex
	pets   map[int64]petstore.Pet
	orders map[int64]petstore.Order
	users  map[string]petstore.User
	nextID int64
}

func newPets() *pets {
	return &pets{pets: map[int64]petstore.Pet{}, orders: map[int64]petstore.Order{}, users: map[string]petstore.User{}, nextID: 1}
}

func (s *pets) AddPet(_ context.Context, req *petstore.Pet) (petstore.AddPetRes, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !req.ID.Set {
		req.ID = petstore.NewOptInt64(s.nextID)
		s.nextID++
	}
	s.pets[req.ID.Value] = *req
	return req, nil
}

func (s *pets) UpdatePet(_ context.Context, req *petstore.Pet) (petstore.UpdatePetRes, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.pets[req.ID.Value]; !ok || !req.ID.Set {
		return &petstore.UpdatePetNotFound{}, nil
	}
	s.pets[req.ID.Value] = *req
	return req, nil
}

func (s *pets) sorted(keep func(petstore.Pet) bool) []petstore.Pet {
	var out []petstore.Pet
	for _, p := range s.pets {
		if keep(p) {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b petstore.Pet) int { return int(a.ID.Value - b.ID.Value) })
	return out
}

func (s *pets) FindPetsByStatus(_ context.Context, params petstore.FindPetsByStatusParams) (petstore.FindPetsByStatusRes, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	want := string(params.Status.Or(petstore.FindPetsByStatusStatusAvailable))
	out := petstore.FindPetsByStatusOKApplicationJSON(s.sorted(func(p petstore.Pet) bool { return string(p.Status.Value) == want }))
	return &out, nil
}

func (s *pets) FindPetsByTags(_ context.Context, params petstore.FindPetsByTagsParams) (petstore.FindPetsByTagsRes, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := petstore.FindPetsByTagsOKApplicationJSON(s.sorted(func(p petstore.Pet) bool {
		return slices.ContainsFunc(p.Tags, func(t petstore.Tag) bool { return slices.Contains(params.Tags, t.Name.Value) })
	}))
	return &out, nil
}

func (s *pets) GetPetById(ctx context.Context, params petstore.GetPetByIdParams) (petstore.GetPetByIdRes, error) {
	if params.PetId == 999 {
		select {
		case <-ctx.Done():
		case <-time.After(30 * time.Second):
		}
		return &petstore.GetPetByIdNotFound{}, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.pets[params.PetId]
	if !ok {
		return &petstore.GetPetByIdNotFound{}, nil
	}
	return &p, nil
}

func (s *pets) UpdatePetWithForm(_ context.Context, params petstore.UpdatePetWithFormParams) (petstore.UpdatePetWithFormRes, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.pets[params.PetId]
	if !ok {
		return &petstore.UpdatePetWithFormDef{StatusCode: http.StatusNotFound}, nil
	}
	if params.Name.Set {
		p.Name = params.Name.Value
	}
	if params.Status.Set {
		p.Status = petstore.NewOptPetStatus(petstore.PetStatus(params.Status.Value))
	}
	s.pets[params.PetId] = p
	return &p, nil
}

func (s *pets) DeletePet(_ context.Context, params petstore.DeletePetParams) (petstore.DeletePetRes, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.pets[params.PetId]; !ok {
		return &petstore.DeletePetBadRequest{}, nil
	}
	delete(s.pets, params.PetId)
	return &petstore.DeletePetOK{}, nil
}

func (s *pets) GetInventory(context.Context) (petstore.GetInventoryRes, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := petstore.GetInventoryOK{}
	for _, p := range s.pets {
		out[string(p.Status.Value)]++
	}
	return &out, nil
}

func (s *pets) PlaceOrder(_ context.Context, req petstore.PlaceOrderReq) (petstore.PlaceOrderRes, error) {
	o, ok := req.(*petstore.PlaceOrderApplicationJSON)
	if !ok {
		return &petstore.PlaceOrderBadRequest{}, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	order := petstore.Order(*o)
	order.ID = petstore.NewOptInt64(s.nextID)
	s.nextID++
	s.orders[order.ID.Value] = order
	return &order, nil
}

func (s *pets) GetOrderById(_ context.Context, params petstore.GetOrderByIdParams) (petstore.GetOrderByIdRes, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[params.OrderId]
	if !ok {
		return &petstore.GetOrderByIdNotFound{}, nil
	}
	return &o, nil
}

func (s *pets) DeleteOrder(_ context.Context, params petstore.DeleteOrderParams) (petstore.DeleteOrderRes, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.orders[params.OrderId]; !ok {
		return &petstore.DeleteOrderNotFound{}, nil
	}
	delete(s.orders, params.OrderId)
	return &petstore.DeleteOrderOK{}, nil
}

func (s *pets) CreateUser(_ context.Context, req petstore.CreateUserReq) (petstore.CreateUserRes, error) {
	u, ok := req.(*petstore.CreateUserApplicationJSON)
	if !ok {
		return &petstore.CreateUserDef{StatusCode: http.StatusBadRequest}, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	user := petstore.User(*u)
	s.users[user.Username.Value] = user
	return &user, nil
}

func (s *pets) CreateUsersWithListInput(_ context.Context, req []petstore.User) (petstore.CreateUsersWithListInputRes, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range req {
		s.users[u.Username.Value] = u
	}
	if len(req) == 0 {
		return &petstore.CreateUsersWithListInputDef{StatusCode: http.StatusBadRequest}, nil
	}
	return &req[len(req)-1], nil
}

func (s *pets) LoginUser(_ context.Context, params petstore.LoginUserParams) (petstore.LoginUserRes, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[params.Username.Value]
	if !ok || u.Password.Value != params.Password.Value {
		return &petstore.LoginUserBadRequest{}, nil
	}
	return &petstore.LoginUserOKApplicationJSONHeaders{Response: "session-for-" + u.Username.Value}, nil
}

func (s *pets) LogoutUser(context.Context) (petstore.LogoutUserRes, error) {
	return &petstore.LogoutUserOK{}, nil
}

func (s *pets) GetUserByName(_ context.Context, params petstore.GetUserByNameParams) (petstore.GetUserByNameRes, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[params.Username]
	if !ok {
		return &petstore.GetUserByNameNotFound{}, nil
	}
	return &u, nil
}

func (s *pets) UpdateUser(_ context.Context, req petstore.UpdateUserReq, params petstore.UpdateUserParams) (petstore.UpdateUserRes, error) {
	u, ok := req.(*petstore.UpdateUserApplicationJSON)
	if !ok {
		return &petstore.UpdateUserBadRequest{}, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[params.Username]; !ok {
		return &petstore.UpdateUserNotFound{}, nil
	}
	s.users[params.Username] = petstore.User(*u)
	return &petstore.UpdateUserOK{}, nil
}

func (s *pets) DeleteUser(_ context.Context, params petstore.DeleteUserParams) (petstore.DeleteUserRes, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[params.Username]; !ok {
		return &petstore.DeleteUserNotFound{}, nil
	}
	delete(s.users, params.Username)
	return &petstore.DeleteUserOK{}, nil
}

type museumAuth struct{}

func (museumAuth) HandleMuseumPlaceholderAuth(ctx context.Context, _ museum.OperationName, _ museum.MuseumPlaceholderAuth) (context.Context, error) {
	return ctx, nil
}

type exhibits struct {
	museum.UnimplementedHandler
	mu     sync.Mutex
	events map[uuid.UUID]museum.SpecialEvent
	order  []uuid.UUID
}

func newMuseum() *exhibits { return &exhibits{events: map[uuid.UUID]museum.SpecialEvent{}} }

func notFound(what string) museum.Error {
	return museum.Error{Type: museum.NewOptString("object"), Title: museum.NewOptString(what + " not found")}
}

func (s *exhibits) GetMuseumHours(_ context.Context, params museum.GetMuseumHoursParams) (museum.GetMuseumHoursRes, error) {
	start := params.StartDate.Or(time.Date(2024, 12, 30, 0, 0, 0, 0, time.UTC))
	n := params.Limit.Or(2)
	var out museum.MuseumHours
	for i := range n {
		out = append(out, museum.MuseumDailyHours{Date: museum.Date(start.AddDate(0, 0, i)), TimeOpen: "09:00", TimeClose: "18:00"})
	}
	return &out, nil
}

func (s *exhibits) CreateSpecialEvent(_ context.Context, req *museum.SpecialEvent) (museum.CreateSpecialEventRes, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := uuid.NewSHA1(uuid.NameSpaceURL, []byte(string(req.Name)))
	req.EventId = museum.NewOptEventId(museum.EventId(id))
	s.events[id] = *req
	s.order = append(s.order, id)
	return req, nil
}

func (s *exhibits) ListSpecialEvents(_ context.Context, params museum.ListSpecialEventsParams) (museum.ListSpecialEventsRes, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out museum.SpecialEventCollection
	for _, id := range s.order {
		if e, ok := s.events[id]; ok {
			out = append(out, e)
		}
	}
	if params.Limit.Set && len(out) > params.Limit.Value {
		out = out[:params.Limit.Value]
	}
	return &out, nil
}

func (s *exhibits) GetSpecialEvent(_ context.Context, params museum.GetSpecialEventParams) (museum.GetSpecialEventRes, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.events[params.EventId]
	if !ok {
		nf := museum.GetSpecialEventNotFound(notFound("event " + params.EventId.String()))
		return &nf, nil
	}
	return &e, nil
}

func (s *exhibits) UpdateSpecialEvent(_ context.Context, req *museum.SpecialEventFields, params museum.UpdateSpecialEventParams) (museum.UpdateSpecialEventRes, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.events[params.EventId]
	if !ok {
		nf := museum.UpdateSpecialEventNotFound(notFound("event"))
		return &nf, nil
	}
	if req.Name.Set {
		e.Name = req.Name.Value
	}
	if req.Location.Set {
		e.Location = req.Location.Value
	}
	if req.Price.Set {
		e.Price = req.Price.Value
	}
	if req.Dates != nil {
		e.Dates = req.Dates
	}
	s.events[params.EventId] = e
	return &e, nil
}

func (s *exhibits) DeleteSpecialEvent(_ context.Context, params museum.DeleteSpecialEventParams) (museum.DeleteSpecialEventRes, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.events[params.EventId]; !ok {
		nf := museum.DeleteSpecialEventNotFound(notFound("event"))
		return &nf, nil
	}
	delete(s.events, params.EventId)
	return &museum.DeleteSpecialEventNoContent{}, nil
}

func (s *exhibits) BuyMuseumTickets(_ context.Context, req *museum.BuyMuseumTickets) (museum.BuyMuseumTicketsRes, error) {
	code := "ticket-" + string(req.TicketType)
	c := &museum.MuseumTicketsConfirmation{
		TicketId:         museum.NewOptTicketId(museum.TicketId(uuid.NewSHA1(uuid.NameSpaceURL, []byte(code)))),
		TicketDate:       req.TicketDate,
		TicketType:       req.TicketType,
		EventId:          req.EventId,
		Message:          museum.TicketMessage(strings.ToUpper(string(req.TicketType[:1])) + string(req.TicketType[1:]) + " ticket bought"),
		ConfirmationCode: museum.TicketConfirmation(code),
	}
	return c, nil
}
