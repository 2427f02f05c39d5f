// Command atende is the Atende server and its administration tool.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "atende:", err)
		os.Exit(1)
	}
}

const usage = `Atende — omnichannel customer service.

Usage:
  atende serve [--addr :8080] [--data ./data] [--database-url URL] [--nats-url URL] [--demo]
  atende migrate [--data ./data] [--database-url URL]
  atende user create --workspace NAME --email E [--name N] [--role admin|supervisor|agent] --password-stdin
  atende token create --email E [--name N]
  atende demo [--data ./data]      fill a demo workspace and print its logins
  atende version                   print the version and whether the web app is built in

Settings come from ATENDE_* environment variables; flags override them (see README.md).
`

func run(ctx context.Context, args []string, env func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("missing command")
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], env, stdout, stderr)
	case "migrate":
		return migrate(ctx, args[1:], env, stdout)
	case "user":
		if len(args) < 2 || args[1] != "create" {
			return fmt.Errorf("usage: atende user create --workspace W --email E --role admin --password-stdin")
		}
		return userCreate(ctx, args[2:], env, stdin, stdout)
	case "token":
		if len(args) < 2 || args[1] != "create" {
			return fmt.Errorf("usage: atende token create --email E")
		}
		return tokenCreate(ctx, args[2:], env, stdout)
	case "demo":
		return demoCmd(ctx, args[1:], env, stdout)
	case "version":
		fmt.Fprintf(stdout, "atende %s (ui: %s)\n", version, uiState())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

var version = "dev"
