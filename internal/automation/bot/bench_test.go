package bot

import "testing"

func BenchmarkAdvanceMenu(b *testing.B) {
	f := beconFlow(b)
	env := Env{ContactName: "Maria da Silva", Open: false}
	st := State{Step: "main"}
	inputs := []string{"1", "quero falar com o financeiro", "3️⃣", "bom dia"}
	steps := 0
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		r := Advance(f, st, inputs[i%len(inputs)], env)
		steps += r.Steps
	}
	b.ReportMetric(float64(steps)/b.Elapsed().Seconds(), "steps/s")
}

func BenchmarkStart(b *testing.B) {
	f := beconFlow(b)
	env := Env{ContactName: "Maria da Silva"}
	steps := 0
	b.ReportAllocs()
	for b.Loop() {
		steps += Start(f, env).Steps
	}
	b.ReportMetric(float64(steps)/b.Elapsed().Seconds(), "steps/s")
}
