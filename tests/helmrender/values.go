package main

// Values handling: --set parsing (pkg/strvals semantics), -f merging and
// Helm's coalescing of user-supplied values over the chart defaults.

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

var errNotList = errors.New("not a list")

const maxSetIndex = 65536
const maxNestedNameLevel = 30

// setParser consumes a --set line rune by rune.
type setParser struct {
	in       []rune
	pos      int
	asString bool
}

func (p *setParser) read() (rune, bool) {
	if p.pos >= len(p.in) {
		return 0, false
	}
	r := p.in[p.pos]
	p.pos++
	return r, true
}

func (p *setParser) unread() { p.pos-- }

// until reads runes until one of stop is met, honouring backslash escapes.
// It returns the runes read, the stop rune, and io.EOF if input ran out.
func (p *setParser) until(stop string) ([]rune, rune, error) {
	var out []rune
	for {
		r, ok := p.read()
		if !ok {
			return out, 0, io.EOF
		}
		if strings.ContainsRune(stop, r) {
			return out, r, nil
		}
		if r == '\\' {
			n, ok := p.read()
			if !ok {
				return out, 0, io.EOF
			}
			out = append(out, n)
			continue
		}
		out = append(out, r)
	}
}

// typed infers the type of a --set scalar exactly as strvals does.
func typedSetValue(s string, asString bool) interface{} {
	if asString {
		return s
	}
	switch {
	case strings.EqualFold(s, "true"):
		return true
	case strings.EqualFold(s, "false"):
		return false
	case strings.EqualFold(s, "null"):
		return nil
	case s == "0":
		return int64(0)
	}
	if s != "" && s[0] != '0' {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n
		}
	}
	return s
}

func putKey(m map[string]interface{}, k string, v interface{}) {
	if k != "" {
		m[k] = v
	}
}

// parseSet merges one --set (or --set-string) line into dest.
func parseSet(line string, dest map[string]interface{}, asString bool) error {
	p := &setParser{in: []rune(line), asString: asString}
	for {
		err := p.parseKey(dest, 0)
		if err == nil {
			continue
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		return err
	}
}

func asMap(v interface{}) (map[string]interface{}, error) {
	m, ok := v.(map[string]interface{})
	if !ok {
		return nil, fmt.Errorf("unable to parse key: interface conversion: interface {} is %T, not map[string]interface {}", v)
	}
	return m, nil
}

func asList(v interface{}) ([]interface{}, error) {
	l, ok := v.([]interface{})
	if !ok {
		return nil, fmt.Errorf("unable to parse key: interface conversion: interface {} is %T, not []interface {}", v)
	}
	return l, nil
}

// value reads the right-hand side after '=': a {a,b} list or a scalar.
func (p *setParser) value() (interface{}, error) {
	list, err := p.list()
	switch {
	case err == nil:
		return list, nil
	case errors.Is(err, io.EOF):
		return "", io.EOF
	case errors.Is(err, errNotList):
		rs, _, e := p.until(",")
		if e != nil && !errors.Is(e, io.EOF) {
			return nil, e
		}
		// a scalar that runs to the end of input is a complete value; the
		// next key read reports EOF and ends the parse.
		return typedSetValue(string(rs), p.asString), nil
	default:
		return nil, err
	}
}

func (p *setParser) parseKey(data map[string]interface{}, level int) error {
	k, last, err := p.until("=[,.")
	key := string(k)
	if err != nil {
		if len(k) == 0 {
			return err
		}
		return fmt.Errorf("key %q has no value", key)
	}
	switch last {
	case '[':
		idx, err := p.index()
		if err != nil {
			return fmt.Errorf("error parsing index: %w", err)
		}
		list := []interface{}{}
		if cur, ok := data[key]; ok {
			if list, err = asList(cur); err != nil {
				return err
			}
		}
		list, err = p.listItem(list, idx, level)
		putKey(data, key, list)
		return err
	case '=':
		v, err := p.value()
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		putKey(data, key, v)
		return err
	case ',':
		putKey(data, key, "")
		return fmt.Errorf("key %q has no value (cannot end with ,)", key)
	default: // '.'
		level++
		if level > maxNestedNameLevel {
			return fmt.Errorf("value name nested level is greater than maximum supported nested level of %d", maxNestedNameLevel)
		}
		inner := map[string]interface{}{}
		if cur, ok := data[key]; ok {
			if inner, err = asMap(cur); err != nil {
				return err
			}
		}
		e := p.parseKey(inner, level)
		if e == nil && len(inner) == 0 {
			return fmt.Errorf("key map %q has no value", key)
		}
		if len(inner) != 0 {
			putKey(data, key, inner)
		}
		return e
	}
}

func (p *setParser) index() (int, error) {
	v, _, err := p.until("]")
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(v))
}

func setAt(list []interface{}, i int, v interface{}) ([]interface{}, error) {
	if i < 0 {
		return list, fmt.Errorf("negative %d index not allowed", i)
	}
	if i > maxSetIndex {
		return list, fmt.Errorf("index of %d is greater than maximum supported index of %d", i, maxSetIndex)
	}
	if len(list) <= i {
		grown := make([]interface{}, i+1)
		copy(grown, list)
		list = grown
	}
	list[i] = v
	return list, nil
}

func (p *setParser) listItem(list []interface{}, i, level int) ([]interface{}, error) {
	if i < 0 {
		return list, fmt.Errorf("negative %d index not allowed", i)
	}
	k, last, err := p.until("[.=")
	switch {
	case len(k) > 0:
		return list, fmt.Errorf("unexpected data at end of array index: %q", string(k))
	case err != nil:
		return list, err
	}
	switch last {
	case '=':
		v, err := p.value()
		if err != nil && !errors.Is(err, io.EOF) {
			return list, err
		}
		// io.EOF here means "a[0]=" with nothing after: the item is "".
		return setAt(list, i, v)
	case '[':
		next, err := p.index()
		if err != nil {
			return list, fmt.Errorf("error parsing index: %w", err)
		}
		var cur []interface{}
		if len(list) > i && list[i] != nil {
			if cur, err = asList(list[i]); err != nil {
				return list, err
			}
		}
		l2, err := p.listItem(cur, next, level)
		if err != nil {
			return list, err
		}
		return setAt(list, i, l2)
	default: // '.'
		inner := map[string]interface{}{}
		if len(list) > i {
			if m, ok := list[i].(map[string]interface{}); ok {
				inner = m
			} else {
				list[i] = inner
			}
		}
		if e := p.parseKey(inner, level); e != nil {
			return list, e
		}
		return setAt(list, i, inner)
	}
}

// list parses "{a,b,c}"; errNotList when the value does not start with '{'.
func (p *setParser) list() ([]interface{}, error) {
	r, ok := p.read()
	if !ok {
		return []interface{}{}, io.EOF
	}
	if r != '{' {
		p.unread()
		return []interface{}{}, errNotList
	}
	out := []interface{}{}
	for {
		rs, last, err := p.until(",}")
		if err != nil {
			return out, errors.New("list must terminate with '}'")
		}
		out = append(out, typedSetValue(string(rs), p.asString))
		if last == '}' {
			if r, ok := p.read(); ok && r != ',' {
				p.unread()
			}
			return out, nil
		}
	}
}

// mergeMaps merges b over a recursively (how Helm merges -f files and sets).
func mergeMaps(a, b map[string]interface{}) map[string]interface{} {
	out := make(map[string]interface{}, len(a))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if vm, ok := v.(map[string]interface{}); ok {
			if bv, ok := out[k]; ok {
				if bm, ok := bv.(map[string]interface{}); ok {
					out[k] = mergeMaps(bm, vm)
					continue
				}
			}
		}
		out[k] = v
	}
	return out
}

func deepCopy(v interface{}) interface{} {
	switch t := v.(type) {
	case map[string]interface{}:
		m := make(map[string]interface{}, len(t))
		for k, x := range t {
			m[k] = deepCopy(x)
		}
		return m
	case []interface{}:
		l := make([]interface{}, len(t))
		for i, x := range t {
			l[i] = deepCopy(x)
		}
		return l
	}
	return v
}

// coalesce lays user values over chart defaults like chartutil.CoalesceValues:
// user values win, maps merge, and a user null deletes the default key.
func coalesce(user, defaults map[string]interface{}, prefix string, warn func(string)) map[string]interface{} {
	dst := deepCopy(user).(map[string]interface{})
	coalesceInto(dst, defaults, prefix, warn)
	return dst
}

func coalesceInto(dst, src map[string]interface{}, prefix string, warn func(string)) {
	for key, sv := range src {
		full := prefix + key
		dv, present := dst[key]
		switch {
		case !present:
			dst[key] = deepCopy(sv)
		case dv == nil:
			delete(dst, key)
		default:
			dm, dIsMap := dv.(map[string]interface{})
			sm, sIsMap := sv.(map[string]interface{})
			if dIsMap && sIsMap {
				coalesceInto(dm, sm, full+".", warn)
			} else if sIsMap && !dIsMap {
				warn(fmt.Sprintf("warning: cannot overwrite table with non table for %s (%v)", full, sv))
			} else if dIsMap && sv != nil {
				warn(fmt.Sprintf("warning: destination for %s is a table. Ignoring non-table value (%v)", full, sv))
			}
		}
	}
}
