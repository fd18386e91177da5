// Package tarjan finds the strongly connected components of a graph, which
// schema (cycles a schema may not have) and gen (cycles Go may not have)
// both report.
package tarjan

// Components returns the strongly connected components of a graph
// (Tarjan), in an order fixed by the order of nodes and edges.
func Components[N comparable](nodes []N, next func(N) []N) [][]N {
	index := map[N]int{}
	low := map[N]int{}
	on := map[N]bool{}
	var stack []N
	var out [][]N
	var visit func(n N)
	visit = func(n N) {
		index[n] = len(index)
		low[n] = index[n]
		stack = append(stack, n)
		on[n] = true
		for _, m := range next(n) {
			if _, seen := index[m]; !seen {
				visit(m)
				low[n] = min(low[n], low[m])
			} else if on[m] {
				low[n] = min(low[n], index[m])
			}
		}
		if low[n] == index[n] {
			var scc []N
			for {
				m := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				on[m] = false
				scc = append(scc, m)
				if m == n {
					break
				}
			}
			out = append(out, scc)
		}
	}
	for _, n := range nodes {
		if _, seen := index[n]; !seen {
			visit(n)
		}
	}
	return out
}
