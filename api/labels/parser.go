package labels

import (
	"fmt"
	"slices"
	"strings"
)

// Parse reads a selector in upstream's string syntax, as kubectl's -l flag and the
// labelSelector query parameter carry it:
//
//	selector    ::= requirement | requirement "," selector
//	requirement ::= ["!"] KEY [ ("in" | "notin") "(" VALUES ")" | ("=" | "==" | "!=" | ">" | "<") VALUE ]
//
// "key" alone requires the key to exist, "!key" requires it to be absent; "x in ()" and "x="
// mean the empty value. Whitespace separates tokens and is otherwise ignored. The error
// messages are upstream's ("unable to parse requirement: ...", "found 'x', expected: ...").
func Parse(selector string) (Selector, error) {
	p := &parser{tokens: lex(selector)}
	rs, err := p.parse()
	if err != nil {
		return nil, err
	}
	sortByKey(rs)
	return rs, nil
}

// tokenKind says what a lexed token is; its literal text is kept beside it for messages.
type tokenKind int

const (
	tokEnd tokenKind = iota
	tokIdentifier
	tokIn
	tokNotIn
	tokNot // "!", the does-not-exist prefix
	tokEquals
	tokDoubleEquals
	tokNotEquals
	tokGreater
	tokLess
	tokOpenParen
	tokCloseParen
	tokComma
)

type token struct {
	kind    tokenKind
	literal string
}

// symbols maps every operator and punctuation spelling to its token. All single special
// characters are tokens, and "!=" and "==" are the only two-character ones.
var symbols = map[string]tokenKind{
	"!": tokNot, "=": tokEquals, "==": tokDoubleEquals, "!=": tokNotEquals,
	">": tokGreater, "<": tokLess, "(": tokOpenParen, ")": tokCloseParen, ",": tokComma,
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func isSymbol(c byte) bool { return strings.IndexByte("=!(),><", c) >= 0 }

// lex splits the selector into tokens, ending with tokEnd. NUL bytes behave as in upstream's
// lexer, which uses 0 as its end-of-input marker: one where a token would start ends the
// input, one right after a token is skipped.
func lex(s string) []token {
	var out []token
	for i := 0; ; {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i == len(s) || s[i] == 0 {
			return append(out, token{tokEnd, ""})
		}
		start := i
		if isSymbol(s[i]) {
			i++
			if i < len(s) && (s[start:i+1] == "!=" || s[start:i+1] == "==") {
				i++
			}
			out = append(out, token{symbols[s[start:i]], s[start:i]})
		} else {
			for i < len(s) && s[i] != 0 && !isSpace(s[i]) && !isSymbol(s[i]) {
				i++
			}
			switch word := s[start:i]; word {
			case "in":
				out = append(out, token{tokIn, word})
			case "notin":
				out = append(out, token{tokNotIn, word})
			default:
				out = append(out, token{tokIdentifier, word})
			}
		}
		if i < len(s) && s[i] == 0 {
			i++
		}
	}
}

// parser walks the token list. Where a key or value is expected, "in" and "notin" are plain
// identifiers ("x in (in)" is a valid selector); only in operator position are they keywords.
type parser struct {
	tokens []token
	pos    int
}

// peek returns the next token without consuming it; asValue turns in/notin into identifiers.
func (p *parser) peek(asValue bool) token {
	t := p.tokens[p.pos]
	if asValue && (t.kind == tokIn || t.kind == tokNotIn) {
		t.kind = tokIdentifier
	}
	return t
}

func (p *parser) next(asValue bool) token {
	t := p.peek(asValue)
	if t.kind != tokEnd { // the end token is sticky
		p.pos++
	}
	return t
}

func (p *parser) parse() (requirements, error) {
	var rs requirements
	for {
		switch t := p.peek(true); t.kind {
		case tokEnd:
			return rs, nil
		case tokIdentifier, tokNot:
			r, err := p.requirement()
			if err != nil {
				return nil, fmt.Errorf("unable to parse requirement: %w", err)
			}
			rs = append(rs, *r)
			switch after := p.next(true); after.kind {
			case tokEnd:
				return rs, nil
			case tokComma:
				if n := p.peek(true); n.kind != tokIdentifier && n.kind != tokNot {
					return nil, fmt.Errorf("found '%s', expected: identifier after ','", n.literal)
				}
			default:
				return nil, fmt.Errorf("found '%s', expected: ',' or 'end of string'", after.literal)
			}
		default:
			return nil, fmt.Errorf("found '%s', expected: !, identifier, or 'end of string'", t.literal)
		}
	}
}

// requirement parses one requirement: an optional "!", the key, then an operator and values
// unless the requirement ends right after the key.
func (p *parser) requirement() (*Requirement, error) {
	op := Operator("")
	t := p.next(true)
	if t.kind == tokNot {
		op = DoesNotExist
		t = p.next(true)
	}
	if t.kind != tokIdentifier {
		return nil, fmt.Errorf("found '%s', expected: identifier", t.literal)
	}
	key := t.literal
	// The parser has no field path, so upstream reports a bad key under "<nil>".
	if err := validateKey(key, "<nil>"); err != "" {
		return nil, fmt.Errorf("%s", err)
	}
	if op == "" {
		if n := p.peek(true); n.kind == tokEnd || n.kind == tokComma {
			op = Exists
		}
	}
	if op == Exists || op == DoesNotExist {
		// "!key" followed by anything but "," or the end is caught by the caller.
		return NewRequirement(key, op, []string{})
	}

	opTok := p.next(false)
	switch opTok.kind {
	case tokIn:
		op = In
	case tokNotIn:
		op = NotIn
	case tokEquals:
		op = Equals
	case tokDoubleEquals:
		op = DoubleEquals
	case tokNotEquals:
		op = NotEquals
	case tokGreater:
		op = GreaterThan
	case tokLess:
		op = LessThan
	default:
		expected := make([]string, len(binaryOperators))
		for i, o := range binaryOperators {
			expected[i] = string(o)
		}
		return nil, fmt.Errorf("found '%s', expected: %s", opTok.literal, strings.Join(expected, ", "))
	}

	var values []string
	var err error
	if op == In || op == NotIn {
		values, err = p.valueSet()
	} else {
		values, err = p.exactValue()
	}
	if err != nil {
		return nil, err
	}
	// Upstream collects values in a set: sorted and without duplicates.
	slices.Sort(values)
	return NewRequirement(key, op, slices.Compact(values))
}

// valueSet parses "(" values ")" where values may be empty or contain empty elements:
// "()", "(,a)" and "(a,,b)" all include the empty value.
func (p *parser) valueSet() ([]string, error) {
	if t := p.next(true); t.kind != tokOpenParen {
		return nil, fmt.Errorf("found '%s' expected: '('", t.literal)
	}
	switch t := p.peek(true); t.kind {
	case tokCloseParen:
		p.next(true)
		return []string{""}, nil
	case tokIdentifier, tokComma:
		values, err := p.valueList()
		if err != nil {
			return nil, err
		}
		p.next(true) // valueList stops only in front of ")"
		return values, nil
	default:
		return nil, fmt.Errorf("found '%s', expected: ',', ')' or identifier", t.literal)
	}
}

// valueList parses comma-separated, possibly empty values up to (not including) ")".
func (p *parser) valueList() ([]string, error) {
	var values []string
	for {
		switch t := p.next(true); t.kind {
		case tokIdentifier:
			values = append(values, t.literal)
			switch n := p.peek(true); n.kind {
			case tokComma:
				continue
			case tokCloseParen:
				return values, nil
			default:
				return nil, fmt.Errorf("found '%s', expected: ',' or ')'", n.literal)
			}
		case tokComma:
			if len(values) == 0 { // "(,": an empty value before the comma
				values = append(values, "")
			}
			switch p.peek(true).kind {
			case tokCloseParen: // ",)": an empty value after the comma
				return append(values, ""), nil
			case tokComma: // ",,": an empty value between the commas
				values = append(values, "")
			}
		default:
			return nil, fmt.Errorf("found '%s', expected: ',', or identifier", t.literal)
		}
	}
}

// exactValue parses the single value after =, ==, !=, > or <; nothing before "," or the end
// means the empty value.
func (p *parser) exactValue() ([]string, error) {
	if n := p.peek(true); n.kind == tokEnd || n.kind == tokComma {
		return []string{""}, nil
	}
	t := p.next(true)
	if t.kind != tokIdentifier {
		return nil, fmt.Errorf("found '%s', expected: identifier", t.literal)
	}
	return []string{t.literal}, nil
}
