package assign

import "testing"

func TestLimit(t *testing.T) {
	for _, tc := range []struct{ capacity, dept, want int64 }{
		{0, 0, 0}, {5, 0, 5}, {0, 3, 3}, {5, 3, 3}, {2, 3, 2},
	} {
		if got := Limit(tc.capacity, tc.dept); got != tc.want {
			t.Errorf("Limit(%d, %d) = %d, want %d", tc.capacity, tc.dept, got, tc.want)
		}
	}
}

func TestPick(t *testing.T) {
	three := func(o1, o2, o3 int64) []Agent {
		return []Agent{{ID: 10, Capacity: 3, Open: o1}, {ID: 20, Capacity: 3, Open: o2}, {ID: 30, Capacity: 0, Open: o3}}
	}
	for _, tc := range []struct {
		name   string
		mode   string
		agents []Agent
		limit  int64
		last   int64
		want   int // index, -1 for nobody
	}{
		{"nobody online", RoundRobin, nil, 0, 0, -1},
		{"rr first turn", RoundRobin, three(0, 0, 0), 0, 0, 0},
		{"rr after 10", RoundRobin, three(0, 0, 0), 0, 10, 1},
		{"rr after 20", RoundRobin, three(0, 0, 0), 0, 20, 2},
		{"rr wraps", RoundRobin, three(0, 0, 0), 0, 30, 0},
		{"rr pointer at a departed agent", RoundRobin, three(0, 0, 0), 0, 25, 2},
		{"rr pointer past everyone", RoundRobin, three(0, 0, 0), 0, 99, 0},
		{"rr skips a full agent", RoundRobin, three(0, 3, 0), 0, 10, 2},
		{"rr department limit fills the unlimited", RoundRobin, three(1, 1, 1), 1, 0, -1},
		{"rr department limit lower than capacity", RoundRobin, three(2, 1, 2), 2, 0, 1},
		{"everyone full", RoundRobin, three(3, 3, 5), 5, 0, -1},
		{"lb fewest open", LeastBusy, three(2, 0, 1), 0, 0, 1},
		{"lb tie broken after last", LeastBusy, three(1, 0, 0), 0, 20, 2},
		{"lb tie wraps", LeastBusy, three(0, 1, 0), 0, 30, 0},
		{"lb ignores a full agent with fewer", LeastBusy, []Agent{{ID: 1, Capacity: 1, Open: 1}, {ID: 2, Open: 7}}, 0, 0, 1},
		{"lb nobody has room", LeastBusy, []Agent{{ID: 1, Capacity: 1, Open: 1}}, 0, 0, -1},
	} {
		if got := Pick(tc.mode, tc.agents, tc.limit, tc.last); got != tc.want {
			t.Errorf("%s: Pick = %d, want %d", tc.name, got, tc.want)
		}
	}
}

// TestPickSpread is the fairness property in miniature: handing out
// conversations one by one, round-robin keeps the agents with room within
// one of each other, and least-busy always gives to a least-loaded agent.
func TestPickSpread(t *testing.T) {
	for _, mode := range []string{RoundRobin, LeastBusy} {
		agents := []Agent{{ID: 1, Capacity: 300}, {ID: 2, Capacity: 300}, {ID: 3, Capacity: 200}, {ID: 4, Capacity: 100}, {ID: 5, Capacity: 100}}
		if mode == LeastBusy {
			agents[0].Open, agents[2].Open = 40, 10
		}
		var last int64
		for n := 0; ; n++ {
			i := Pick(mode, agents, 0, last)
			if i < 0 {
				break
			}
			for _, a := range agents {
				if mode == LeastBusy && HasRoom(a, 0) && a.Open < agents[i].Open {
					t.Fatalf("%s step %d: gave to %d with %d open while %d had %d", mode, n, agents[i].ID, agents[i].Open, a.ID, a.Open)
				}
			}
			agents[i].Open++
			last = agents[i].ID
			if mode == RoundRobin {
				lo, hi := int64(1<<62), int64(-1)
				for _, a := range agents {
					if HasRoom(a, 0) || a.Open == agents[i].Open {
						lo, hi = min(lo, a.Open), max(hi, a.Open)
					}
				}
				if hi-lo > 1 {
					t.Fatalf("round robin step %d: spread %d..%d", n, lo, hi)
				}
			}
		}
		for _, a := range agents {
			if a.Open != a.Capacity {
				t.Errorf("%s: agent %d ends with %d of %d", mode, a.ID, a.Open, a.Capacity)
			}
		}
	}
}

func BenchmarkPick(b *testing.B) {
	agents := make([]Agent, 50)
	for i := range agents {
		agents[i] = Agent{ID: int64(i + 1), Capacity: 10, Open: int64(i % 7)}
	}
	for b.Loop() {
		Pick(LeastBusy, agents, 0, 17)
	}
}
