package grpctest

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"
)

// Products are the catalog, in protojson form (so the server side of every
// test goes through protobuf-go's own JSON mapping, independent of the
// proxy's converter).
var Products = map[string]string{
	"p-1": `{"id": "p-1", "name": "Teapot", "kind": "KIND_PHYSICAL",
		"price": {"cents": "2500", "currency": "EUR"},
		"stock": {"berlin": "3", "paris": "0"},
		"createdAt": "2024-05-01T10:00:00.500Z",
		"description": "A teapot for two.",
		"tags": ["kitchen", "tea"],
		"dimensions": {"widthMm": 200, "heightMm": 150},
		"thumbnail": "AAEC/w==",
		"views": "42",
		"attributes": {"color": "blue", "sizes": [1, 2.5], "glazed": true, "note": null},
		"rating": 4,
		"percentOff": 10,
		"shippingTime": "86400.500s",
		"weightKg": 1.25,
		"available": true}`,
	"p-2": `{"id": "p-2", "name": "E-book", "kind": "KIND_DIGITAL",
		"price": {"cents": "900", "currency": "EUR"},
		"amountOff": {"cents": "100", "currency": "EUR"}}`,
}

// Special products GetProduct finds but Search never lists.
var special = map[string]string{
	// More views than FTL's Int holds: the proxy must refuse, not wrap.
	"p-huge": `{"id": "p-huge", "name": "Viral", "views": "18446744073709551615"}`,
}

// PlacedAt is the time every order is placed at.
const PlacedAt = "2024-06-01T12:00:00Z"

type shop struct {
	types *dynamicpb.Types
}

type methodImpl func(ctx context.Context, in *dynamicpb.Message, out protoreflect.MessageDescriptor) (*dynamicpb.Message, error)

func (s *shop) method(name protoreflect.FullName) methodImpl {
	switch name {
	case "shop.v1.Catalog.GetProduct", "shop.v1.Catalog.WatchProducts":
		return s.getProduct
	case "shop.v1.Catalog.Search":
		return s.search
	case "shop.v1.Orders.PlaceOrder":
		return s.placeOrder
	case "shop.v1.Orders.Ping":
		return func(_ context.Context, _ *dynamicpb.Message, out protoreflect.MessageDescriptor) (*dynamicpb.Message, error) {
			return dynamicpb.NewMessage(out), nil
		}
	}
	return nil
}

func (s *shop) getProduct(_ context.Context, in *dynamicpb.Message, out protoreflect.MessageDescriptor) (*dynamicpb.Message, error) {
	var req struct{ ID string }
	if err := s.read(in, &req); err != nil {
		return nil, err
	}
	text, ok := Products[req.ID]
	if !ok {
		text, ok = special[req.ID]
	}
	if !ok {
		return nil, status.Errorf(codes.NotFound, "product %q not found", req.ID)
	}
	return s.build(out, text)
}

func (s *shop) search(_ context.Context, in *dynamicpb.Message, out protoreflect.MessageDescriptor) (*dynamicpb.Message, error) {
	var req struct {
		Query string
		Limit int
		Kinds []string
	}
	if err := s.read(in, &req); err != nil {
		return nil, err
	}
	var found []json.RawMessage
	for _, id := range slices.Sorted(maps.Keys(Products)) {
		var p struct{ Name, Kind string }
		if err := json.Unmarshal([]byte(Products[id]), &p); err != nil {
			return nil, err
		}
		if !strings.Contains(strings.ToLower(p.Name), strings.ToLower(req.Query)) ||
			(len(req.Kinds) > 0 && !slices.Contains(req.Kinds, p.Kind)) {
			continue
		}
		found = append(found, json.RawMessage(Products[id]))
	}
	total := len(found)
	if req.Limit > 0 && len(found) > req.Limit {
		found = found[:req.Limit]
	}
	text, err := json.Marshal(map[string]any{"products": found, "total": total})
	if err != nil {
		return nil, err
	}
	return s.build(out, string(text))
}

func (s *shop) placeOrder(_ context.Context, in *dynamicpb.Message, out protoreflect.MessageDescriptor) (*dynamicpb.Message, error) {
	var req struct {
		ProductID string
		Quantity  int64
		Notes     map[string]string
	}
	if err := s.read(in, &req); err != nil {
		return nil, err
	}
	if req.Quantity < 1 {
		st, err := status.New(codes.InvalidArgument, "invalid order").WithDetails(&errdetails.BadRequest{
			FieldViolations: []*errdetails.BadRequest_FieldViolation{
				{Field: "quantity", Description: fmt.Sprintf("must be at least 1, not %d", req.Quantity)},
			},
		})
		if err != nil {
			return nil, err
		}
		return nil, st.Err()
	}
	text, ok := Products[req.ProductID]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "product %q not found", req.ProductID)
	}
	var p struct {
		Price struct {
			Cents    string
			Currency string
		}
	}
	if err := json.Unmarshal([]byte(text), &p); err != nil {
		return nil, err
	}
	cents, err := strconv.ParseInt(p.Price.Cents, 10, 64)
	if err != nil {
		return nil, err
	}
	order, err := json.Marshal(map[string]any{
		"id":       "o-" + req.ProductID,
		"product":  json.RawMessage(text),
		"quantity": req.Quantity,
		"total":    map[string]any{"cents": strconv.FormatInt(cents*req.Quantity, 10), "currency": p.Price.Currency},
		"status":   "STATUS_PLACED",
		"placedAt": PlacedAt,
		"notes":    req.Notes,
	})
	if err != nil {
		return nil, err
	}
	return s.build(out, string(order))
}

// read decodes a request into a Go struct through protojson (keys match
// case-insensitively, so field names need no tags).
func (s *shop) read(in proto.Message, v any) error {
	raw, err := protojson.MarshalOptions{Resolver: s.types}.Marshal(in)
	if err == nil {
		err = json.Unmarshal(raw, v)
	}
	if err != nil {
		return status.Errorf(codes.Internal, "grpctest: reading the request: %v", err)
	}
	return nil
}

// build makes a response of type md from its protojson form.
func (s *shop) build(md protoreflect.MessageDescriptor, text string) (*dynamicpb.Message, error) {
	m := dynamicpb.NewMessage(md)
	if err := (protojson.UnmarshalOptions{Resolver: s.types}).Unmarshal([]byte(text), m); err != nil {
		return nil, status.Errorf(codes.Internal, "grpctest: building %s: %v", md.FullName(), err)
	}
	return m, nil
}
