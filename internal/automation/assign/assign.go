// Package assign decides which agent gets the next conversation of a
// department queue (DESIGN M2): round-robin or least-busy among the agents
// with room. It is pure; the conversation package does the locking and the
// writes around each decision.
package assign

// Modes, as stored (store.AssignRoundRobin, store.AssignLeastBusy).
const (
	RoundRobin = "round_robin"
	LeastBusy  = "least_busy"
)

// Agent is an online, active member of the department.
type Agent struct {
	ID int64
	// Capacity is the agent's own maximum of open conversations; 0 is unlimited.
	Capacity int64
	// Open is how many open conversations the agent has now.
	Open int64
}

// Limit is the agent's effective maximum under a department limit (0:
// none): the lower of the two, where 0 means unlimited; 0 when both are.
func Limit(capacity, deptLimit int64) int64 {
	switch {
	case capacity == 0:
		return deptLimit
	case deptLimit == 0:
		return capacity
	default:
		return min(capacity, deptLimit)
	}
}

// HasRoom reports whether a can take one more conversation.
func HasRoom(a Agent, deptLimit int64) bool {
	l := Limit(a.Capacity, deptLimit)
	return l == 0 || a.Open < l
}

// Pick chooses the agent for the next conversation, or returns -1 when
// nobody has room. agents must be sorted by ID (the stable round-robin
// order); last is the agent who got the previous conversation (0: none).
// Round-robin takes the first agent with room after last, wrapping
// around; least-busy takes the fewest open conversations, ties broken in
// that same round-robin order, so equal loads are still shared in turn.
func Pick(mode string, agents []Agent, deptLimit, last int64) int {
	n := len(agents)
	if n == 0 {
		return -1
	}
	// start: the first agent after last in id order
	start := 0
	for start < n && agents[start].ID <= last {
		start++
	}
	best := -1
	for k := 0; k < n; k++ {
		i := (start + k) % n
		if !HasRoom(agents[i], deptLimit) {
			continue
		}
		if mode != LeastBusy {
			return i
		}
		if best < 0 || agents[i].Open < agents[best].Open {
			best = i
		}
	}
	return best
}
