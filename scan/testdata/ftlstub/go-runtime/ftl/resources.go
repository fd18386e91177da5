package ftl

// Config is a typed config value injected into a verb.
type Config[T any] struct{ name string }

// Secret is a typed secret injected into a verb.
type Secret[T any] struct{ name string }

// DatabaseHandle is a database injected into a verb.
type DatabaseHandle[T any] struct{ name string }

// TopicPartitionMap maps an event to its partition key.
type TopicPartitionMap[E any] interface {
	PartitionKey(event E) string
}

// SinglePartitionMap puts every event in one partition.
type SinglePartitionMap[E any] struct{}

// PartitionKey implements TopicPartitionMap.
func (SinglePartitionMap[E]) PartitionKey(E) string { return "" }

// TopicHandle publishes events to a topic.
type TopicHandle[E any, M TopicPartitionMap[E]] struct{ name string }

// EgressTarget is an egress URL injected into a verb.
type EgressTarget struct{ Name string }
