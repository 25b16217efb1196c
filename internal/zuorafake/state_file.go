package zuorafake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
)

// A state file keeps what a tenant holds across restarts of the local
// Zuora, as a real tenant keeps it: every entity's sets (ids, names,
// numbers, containers), which sets are assigned to customer accounts, the
// document type each prefix was ever used for and the minimum start
// numbers. Tokens, idempotency records, faults and counters are not kept:
// a restart is a new process, so clients take a new token.
//
// The file is written whole on every change, through a temporary file in
// the same directory renamed over it, so that it is never half written,
// and before the change is answered: a request that changes something
// (any method but GET, HEAD and OPTIONS, the control API's too) runs, one
// at a time, then the file is written; if that fails, the change is undone
// and the request answered with Zuora's server error (category 60), in
// the error mode the request asked for. A file that is not a state file of
// the local Zuora, or was written for other entities, is refused and left
// as it is.

// stateFileFormat marks a state file of the local Zuora; stateFileVersion
// is the layout this code reads and writes.
const (
	stateFileFormat  = "zuorafake-state"
	stateFileVersion = 1
)

// stateDoc is a state file: its format and version, then what GET
// /_fake/state shows (control.go), so that both say the same thing.
type stateDoc struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
	stateJSON
}

// MarshalState is what every entity holds, as a state file stores it.
func (s *Server) MarshalState() ([]byte, error) {
	b, err := json.MarshalIndent(stateDoc{Format: stateFileFormat, Version: stateFileVersion, stateJSON: s.state("")}, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// RestoreState replaces what every entity holds with what b, written by
// MarshalState, says. b must be a state file of this layout for exactly
// the server's entities; otherwise nothing changes and the error says why.
func (s *Server) RestoreState(b []byte) error {
	doc, err := s.decodeState(b)
	if err != nil {
		return err
	}
	s.applyState(doc, false)
	return nil
}

// decodeState reads b as a state file for exactly the server's entities.
func (s *Server) decodeState(b []byte) (stateDoc, error) {
	var doc stateDoc
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return stateDoc{}, fmt.Errorf("not a state file of zuorafake (%w)", err)
	}
	if doc.Format != stateFileFormat {
		return stateDoc{}, fmt.Errorf("not a state file of zuorafake: \"format\" is %q, want %q", doc.Format, stateFileFormat)
	}
	if doc.Version != stateFileVersion {
		return stateDoc{}, fmt.Errorf("state file version %d: this zuorafake reads version %d only", doc.Version, stateFileVersion)
	}
	var ids []string
	for _, e := range doc.Entities {
		ids = append(ids, e.ID)
	}
	if !slices.Equal(ids, s.entities) {
		return stateDoc{}, fmt.Errorf("the state file holds the entities %q; this zuorafake serves %q (-entities)", ids, s.entities)
	}
	for _, e := range doc.Entities {
		if err := checkEntityState(e); err != nil {
			return stateDoc{}, fmt.Errorf("entity %s: %w", e.ID, err)
		}
	}
	return doc, nil
}

// applyState makes every entity hold what doc says; its idempotency
// records are kept when keepIdem (an undone change), dropped otherwise (a
// restart).
func (s *Server) applyState(doc stateDoc, keepIdem bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range doc.Entities {
		t := s.tenants[e.ID]
		t.defaultID = e.SequenceSets[0].ID
		t.sets = nil
		for _, set := range e.SequenceSets {
			c := set.clone()
			t.sets = append(t.sets, &c)
		}
		t.assigned = map[string]bool{}
		for _, id := range e.Assigned {
			t.assigned[id] = true
		}
		t.prefixUse = map[string]docType{}
		for p, d := range e.PrefixDocumentTypes {
			t.prefixUse[p] = docType(d)
		}
		for _, set := range t.sets {
			t.notePrefixesLocked(set)
		}
		t.minimums = map[string]int64{}
		for p, n := range e.MinimumStartNumbers {
			t.minimums[p] = n
		}
		if !keepIdem {
			t.idem = map[string]*idemRecord{}
		}
	}
}

// checkEntityState refuses an entity no server could have written: it
// has its DEFAULT set (first), every set has an id and a name, no id or
// number names two sets, and every prefix's document type is known.
func checkEntityState(e entityState) error {
	if len(e.SequenceSets) == 0 {
		return errors.New("it has no DEFAULT set")
	}
	keys := map[string]bool{}
	for i, set := range e.SequenceSets {
		if set.ID == "" || set.Name == "" {
			return fmt.Errorf("set %d has no id or no name", i)
		}
		for _, k := range []string{set.ID, set.Number} {
			if k != "" && keys[k] {
				return fmt.Errorf("%q names two sets", k)
			}
			keys[k] = true
		}
	}
	for _, d := range e.PrefixDocumentTypes {
		if !slices.Contains(docTypes, docType(d)) {
			return fmt.Errorf("unknown document type %q", d)
		}
	}
	return nil
}

// StateFile keeps a server's state in a file (see above).
type StateFile struct {
	path   string
	server *Server

	mu      sync.Mutex
	written []byte      // what the file holds
	onError func(error) // hears of a failed write
}

// OpenStateFile restores s from the file at path when it exists, or
// writes s's state there when it does not. A file that cannot be read as
// a state file for s's entities is an error, and is left untouched.
func OpenStateFile(s *Server, path string) (*StateFile, error) {
	f := &StateFile{path: path, server: s}
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		if err := s.RestoreState(b); err != nil {
			return nil, fmt.Errorf("-state-file %s: %w; it was left as it is (move it away or name another file)", path, err)
		}
		f.written = b
		// Written again in this version's layout (the same content).
		return f, f.install()
	case errors.Is(err, os.ErrNotExist):
		return f, f.install()
	default:
		return nil, fmt.Errorf("-state-file %s: %w", path, err)
	}
}

// install writes the file and has the server keep every change in it.
func (f *StateFile) install() error {
	if err := f.Save(); err != nil {
		return err
	}
	f.server.keepMu.Lock()
	defer f.server.keepMu.Unlock()
	f.server.keep = f.keepChange
	return nil
}

// OnError has fn hear of every failed write of the file.
func (f *StateFile) OnError(fn func(error)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.onError = fn
}

// keepChange writes a change to the file, or undoes it: the server then
// holds what the file holds.
func (f *StateFile) keepChange() error {
	err := f.Save()
	if err == nil {
		return nil
	}
	f.mu.Lock()
	written, onError := f.written, f.onError
	f.mu.Unlock()
	if onError != nil {
		onError(err)
	}
	doc, derr := f.server.decodeState(written)
	if derr != nil { // the file's own last content: cannot happen
		return fmt.Errorf("%w; undoing the change: %w", err, derr)
	}
	f.server.applyState(doc, true)
	return err
}

// keeping runs change, a request of method, and when it may have changed
// something and a state file is kept, writes the file; when that fails
// the change is undone and the error says why.
func (s *Server) keeping(method string, change func()) error {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		change()
		return nil
	}
	s.keepMu.Lock()
	defer s.keepMu.Unlock()
	change()
	if s.keep == nil {
		return nil
	}
	return s.keep()
}

// kept is run's answer to c once what it changed is kept, or Zuora's
// server error when it could not be (and nothing changed).
func (s *Server) kept(c *call, run func() answer) answer {
	var a answer
	if err := s.keeping(c.r.Method, func() { a = run() }); err != nil {
		return c.errorAnswer(catInternal, "The change could not be stored, and was not made: "+err.Error())
	}
	return a
}

// Save writes the server's state to the file if it changed since the
// last write.
func (f *StateFile) Save() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, err := f.server.MarshalState()
	if err != nil {
		return err
	}
	if bytes.Equal(b, f.written) {
		return nil
	}
	if err := writeAtomic(f.path, b); err != nil {
		return fmt.Errorf("-state-file %s: %w", f.path, err)
	}
	f.written = b
	return nil
}

// writeAtomic writes b to path through a temporary file in its directory.
func writeAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // gone after the rename; cleans up otherwise
	if _, err := tmp.Write(b); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
