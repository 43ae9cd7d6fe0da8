package spdy

import (
	"bytes"
	"encoding/hex"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// goldenFromSpdystream is what moby/spdystream (the SPDY implementation client-go uses)
// wrote for: SYN_STREAM 1 {streamtype: error, port: 8080, requestid: 0}; SYN_STREAM 3 with
// FIN {streamtype: data, ...} (its header block continues the first one's zlib stream);
// DATA 3 "hello" with FIN; RST_STREAM 5 CANCEL; PING 7; GOAWAY 9 OK.
const goldenFromSpdystream = "800300010000003e0000000100000000000078f9e3c6a7c202253a703a2b294a4dcc851625aca9a0808614cb45e01c60616061c0c0c0c0590489c64c50f2663400000000ffff" +
	"800300010100001800000003000000000000c2aa19540e2512d60b000000ffff" +
	"000000030100000568656c6c6f8003000300000008000000050000000580030006000000040000000780030007000000080000000900000000"

func TestReadFramesWrittenBySpdystream(t *testing.T) {
	raw, err := hex.DecodeString(goldenFromSpdystream)
	if err != nil {
		t.Fatal(err)
	}
	f := newFramer(bytes.NewReader(raw), io.Discard)
	headers := func(kv ...string) http.Header {
		h := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			h.Add(kv[i], kv[i+1])
		}
		return h
	}
	want := []*Frame{
		{Control: true, Type: TypeSynStream, StreamID: 1, Headers: headers("Streamtype", "error", "Port", "8080", "Requestid", "0")},
		{Control: true, Type: TypeSynStream, StreamID: 3, Flags: FlagFin, Headers: headers("Streamtype", "data", "Port", "8080", "Requestid", "0")},
		{StreamID: 3, Flags: FlagFin, Data: []byte("hello")},
		{Control: true, Type: TypeRstStream, StreamID: 5, Status: StatusCancel},
		{Control: true, Type: TypePing, PingID: 7},
		{Control: true, Type: TypeGoAway, LastGoodStreamID: 9},
	}
	for i, w := range want {
		got, err := f.readFrame()
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if !reflect.DeepEqual(got, w) {
			t.Errorf("frame %d:\n got %+v\nwant %+v", i, got, w)
		}
	}
	if _, err := f.readFrame(); err != io.EOF {
		t.Errorf("after the last frame: err = %v, want EOF", err)
	}
}

// The fixed parts of frames, byte for byte (header blocks aside, whose compressed form
// depends on the zlib implementation).
func TestWriteFrameLayout(t *testing.T) {
	for _, tc := range []struct {
		frame *Frame
		hex   string
	}{
		{&Frame{StreamID: 3, Flags: FlagFin, Data: []byte("hello")}, "000000030100000568656c6c6f"},
		{&Frame{Control: true, Type: TypeRstStream, StreamID: 5, Status: StatusCancel}, "80030003000000080000000500000005"},
		{&Frame{Control: true, Type: TypePing, PingID: 7}, "800300060000000400000007"},
		{&Frame{Control: true, Type: TypeGoAway, LastGoodStreamID: 9}, "80030007000000080000000900000000"},
		{&Frame{Control: true, Type: TypeWindowUpdate, StreamID: 1, DeltaWindowSize: 65536}, "80030009000000080000000100010000"},
		{&Frame{Control: true, Type: TypeSettings, Settings: map[uint32]uint32{7: 65536}}, "800300040000000c000000010000000700010000"},
	} {
		var buf bytes.Buffer
		if err := newFramer(nil, &buf).writeFrame(tc.frame); err != nil {
			t.Fatalf("%v: %v", tc.frame, err)
		}
		if got := hex.EncodeToString(buf.Bytes()); got != tc.hex {
			t.Errorf("%v:\n got %s\nwant %s", tc.frame, got, tc.hex)
		}
	}
}

// Frames written here read back identically, including many header blocks sharing one
// compression stream and a block much larger than any read buffer.
func TestFrameRoundTrip(t *testing.T) {
	big := strings.Repeat("x", 40000)
	frames := []*Frame{
		{Control: true, Type: TypeSynStream, StreamID: 1, Priority: 3, Headers: http.Header{"Streamtype": {"stdin"}}},
		{Control: true, Type: TypeSynReply, StreamID: 1, Headers: http.Header{}},
		{Control: true, Type: TypeSynStream, StreamID: 3, Flags: FlagFin | FlagUnidirectional, Headers: http.Header{"Streamtype": {"resize"}, "Multi": {"a", "b"}}},
		{Control: true, Type: TypeHeaders, StreamID: 3, Headers: http.Header{"Big": {big}}},
		{StreamID: 1, Data: bytes.Repeat([]byte{0xff}, 70000)},
		{Control: true, Type: TypeSynReply, StreamID: 3, Flags: FlagFin, Headers: http.Header{"Streamtype": {"resize"}}},
		{StreamID: 1, Flags: FlagFin, Data: []byte{}},
		{Control: true, Type: TypeSettings, Flags: 1, Settings: map[uint32]uint32{4: 100, 7: 1 << 16}},
		{Control: true, Type: TypeWindowUpdate, StreamID: 3, DeltaWindowSize: 10},
	}
	var buf bytes.Buffer
	w := newFramer(nil, &buf)
	for _, f := range frames {
		if err := w.writeFrame(f); err != nil {
			t.Fatal(err)
		}
	}
	r := newFramer(&buf, io.Discard)
	for i, want := range frames {
		got, err := r.readFrame()
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("frame %d:\n got %v %v\nwant %v %v", i, got, got.Headers, want, want.Headers)
		}
	}
}

func TestReadFrameRejectsMalformedInput(t *testing.T) {
	for name, h := range map[string]string{
		"version 2":          "800200010000000a00000001000000000000",
		"short SYN_STREAM":   "8003000100000004" + "00000001",
		"RST of 4 bytes":     "8003000300000004" + "00000001",
		"garbage header zip": "800300020000000c" + "00000001" + "0102030405060708",
	} {
		raw, _ := hex.DecodeString(h)
		if _, err := newFramer(bytes.NewReader(raw), io.Discard).readFrame(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
