// hcl1json reads HCL (version 1, the dialect Consul decodes) and prints the generic tree
// the reference decoder (github.com/hashicorp/hcl, the package Consul uses) builds, as JSON.
// A test oracle for meshroute's HCL reader: what Consul's own decoder makes of a file.
//
// Usage:
//
//	hcl1json [FILE]   one document from FILE or stdin; prints the tree, exit 1 on error
//	hcl1json -batch   stdin is a JSON array of documents; prints a JSON array with, for
//	                  each document, {"ok": tree} or {"err": message} (a decoder panic
//	                  counts as an error)
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/hashicorp/hcl"
)

func decode(src string) (out map[string]interface{}, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	err = hcl.Decode(&out, src)
	return
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-batch" {
		var docs []string
		if err := json.NewDecoder(os.Stdin).Decode(&docs); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		results := make([]map[string]interface{}, len(docs))
		for i, doc := range docs {
			out, err := decode(doc)
			if err != nil {
				results[i] = map[string]interface{}{"err": err.Error()}
			} else {
				results[i] = map[string]interface{}{"ok": out}
			}
		}
		if err := json.NewEncoder(os.Stdout).Encode(results); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		return
	}
	var src []byte
	var err error
	if len(os.Args) > 1 {
		src, err = os.ReadFile(os.Args[1])
	} else {
		src, err = io.ReadAll(os.Stdin)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	out, err := decode(string(src))
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	enc.Encode(out)
}
