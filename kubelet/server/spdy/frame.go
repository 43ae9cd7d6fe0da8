package spdy

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
)

// Version is the SPDY version in every control frame.
const Version = 3

// FrameType is the type of a control frame.
type FrameType uint16

// The control frame types of SPDY/3.1. DATA frames have no type: they are the frames whose
// first bit is 0.
const (
	TypeSynStream    FrameType = 1
	TypeSynReply     FrameType = 2
	TypeRstStream    FrameType = 3
	TypeSettings     FrameType = 4
	TypePing         FrameType = 6
	TypeGoAway       FrameType = 7
	TypeHeaders      FrameType = 8
	TypeWindowUpdate FrameType = 9
)

// Frame flags.
const (
	// FlagFin marks the sender's last frame on a stream (SYN_STREAM, SYN_REPLY, HEADERS,
	// DATA).
	FlagFin uint8 = 0x01
	// FlagUnidirectional on SYN_STREAM: the receiver may not send on the stream.
	FlagUnidirectional uint8 = 0x02
)

// RST_STREAM status codes.
const (
	StatusProtocolError      uint32 = 1
	StatusInvalidStream      uint32 = 2
	StatusRefusedStream      uint32 = 3
	StatusUnsupportedVersion uint32 = 4
	StatusCancel             uint32 = 5
	StatusInternalError      uint32 = 6
	StatusStreamInUse        uint32 = 8
	StatusStreamAlreadyClose uint32 = 9
)

// maxFrameLength is the largest payload SPDY's 24-bit length field can carry.
const maxFrameLength = 1<<24 - 1

// maxControlFrameLength bounds what a peer can make us allocate for one control frame;
// Kubernetes' header blocks are a few dozen bytes.
const maxControlFrameLength = 1 << 20

// maxHeaderCount and maxHeaderFieldLength bound a decoded header block, which zlib could
// otherwise inflate far beyond the frame's size.
const (
	maxHeaderCount       = 1000
	maxHeaderFieldLength = 1 << 16
)

// Frame is one decoded frame. Only the fields of its kind are meaningful:
//
//	DATA          StreamID, Flags (FIN), Data
//	SYN_STREAM    StreamID, AssociatedID, Priority, Flags (FIN, UNIDIRECTIONAL), Headers
//	SYN_REPLY     StreamID, Flags (FIN), Headers
//	HEADERS       StreamID, Flags (FIN), Headers
//	RST_STREAM    StreamID, Status
//	PING          PingID
//	GOAWAY        LastGoodStreamID, Status
//	WINDOW_UPDATE StreamID, DeltaWindowSize
//	SETTINGS      Settings (id -> value), Flags
type Frame struct {
	Control bool
	Type    FrameType // control frames only
	Flags   uint8

	StreamID     uint32
	AssociatedID uint32
	Priority     uint8 // 0 (highest) to 7
	Headers      http.Header
	Data         []byte

	Status           uint32
	PingID           uint32
	LastGoodStreamID uint32
	DeltaWindowSize  uint32
	Settings         map[uint32]uint32
}

func (f *Frame) String() string {
	if !f.Control {
		return fmt.Sprintf("DATA stream=%d flags=%#x len=%d", f.StreamID, f.Flags, len(f.Data))
	}
	return fmt.Sprintf("control type=%d stream=%d flags=%#x", f.Type, f.StreamID, f.Flags)
}

// framer reads and writes frames on one connection. Reading and writing are independent
// (one goroutine may read while another writes) but neither side is safe for concurrent
// use on its own: the connection serializes writes.
type framer struct {
	r *bufio.Reader
	w io.Writer

	// headerFeed holds received header block bytes not yet decompressed. It is a
	// bytes.Buffer (an io.ByteReader) so the decompressor reads it directly, without a
	// read-ahead buffer of its own that could swallow bytes of the next frame.
	headerFeed bytes.Buffer
	decompress io.ReadCloser

	compress   *zlib.Writer
	compressed bytes.Buffer
}

func newFramer(r io.Reader, w io.Writer) *framer {
	return &framer{r: bufio.NewReaderSize(r, 32*1024), w: w}
}

// errProtocol wraps every malformed-input error.
var errProtocol = errors.New("spdy protocol error")

func protocolError(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errProtocol, fmt.Sprintf(format, args...))
}

// readFrame reads the next frame.
func (f *framer) readFrame() (*Frame, error) {
	var head [8]byte
	if _, err := io.ReadFull(f.r, head[:]); err != nil {
		return nil, err
	}
	word := binary.BigEndian.Uint32(head[0:4])
	flags := head[4]
	length := uint32(head[5])<<16 | uint32(head[6])<<8 | uint32(head[7])

	if word&0x80000000 == 0 {
		data := make([]byte, length)
		if _, err := io.ReadFull(f.r, data); err != nil {
			return nil, err
		}
		return &Frame{StreamID: word & 0x7fffffff, Flags: flags, Data: data}, nil
	}

	version := uint16(word>>16) & 0x7fff
	typ := FrameType(word & 0xffff)
	if version != Version {
		return nil, protocolError("unsupported version %d", version)
	}
	if length > maxControlFrameLength {
		return nil, protocolError("control frame of %d bytes", length)
	}
	fr := &Frame{Control: true, Type: typ, Flags: flags}
	switch typ {
	case TypeSynStream:
		if length < 10 {
			return nil, protocolError("SYN_STREAM of %d bytes", length)
		}
		var b [10]byte
		if _, err := io.ReadFull(f.r, b[:]); err != nil {
			return nil, err
		}
		fr.StreamID = binary.BigEndian.Uint32(b[0:4]) & 0x7fffffff
		fr.AssociatedID = binary.BigEndian.Uint32(b[4:8]) & 0x7fffffff
		fr.Priority = b[8] >> 5
		h, err := f.readHeaderBlock(int64(length) - 10)
		if err != nil {
			return nil, err
		}
		fr.Headers = h
	case TypeSynReply, TypeHeaders:
		if length < 4 {
			return nil, protocolError("frame type %d of %d bytes", typ, length)
		}
		id, err := f.readUint32()
		if err != nil {
			return nil, err
		}
		fr.StreamID = id & 0x7fffffff
		h, err := f.readHeaderBlock(int64(length) - 4)
		if err != nil {
			return nil, err
		}
		fr.Headers = h
	case TypeRstStream, TypeGoAway, TypeWindowUpdate:
		if length != 8 {
			return nil, protocolError("frame type %d of %d bytes, want 8", typ, length)
		}
		var b [8]byte
		if _, err := io.ReadFull(f.r, b[:]); err != nil {
			return nil, err
		}
		first := binary.BigEndian.Uint32(b[0:4]) & 0x7fffffff
		second := binary.BigEndian.Uint32(b[4:8])
		switch typ {
		case TypeRstStream:
			fr.StreamID, fr.Status = first, second
		case TypeGoAway:
			fr.LastGoodStreamID, fr.Status = first, second
		default:
			fr.StreamID, fr.DeltaWindowSize = first, second&0x7fffffff
		}
	case TypePing:
		if length != 4 {
			return nil, protocolError("PING of %d bytes", length)
		}
		id, err := f.readUint32()
		if err != nil {
			return nil, err
		}
		fr.PingID = id
	case TypeSettings:
		if length < 4 {
			return nil, protocolError("SETTINGS of %d bytes", length)
		}
		n, err := f.readUint32()
		if err != nil {
			return nil, err
		}
		if uint64(n)*8 != uint64(length)-4 {
			return nil, protocolError("SETTINGS with %d entries in %d bytes", n, length)
		}
		fr.Settings = map[uint32]uint32{}
		for i := uint32(0); i < n; i++ {
			var b [8]byte
			if _, err := io.ReadFull(f.r, b[:]); err != nil {
				return nil, err
			}
			fr.Settings[binary.BigEndian.Uint32(b[0:4])&0xffffff] = binary.BigEndian.Uint32(b[4:8])
		}
	default:
		// Unknown control frames must be ignored (the draft's rule for extensions).
		if _, err := f.r.Discard(int(length)); err != nil {
			return nil, err
		}
	}
	return fr, nil
}

func (f *framer) readUint32() (uint32, error) {
	var b [4]byte
	if _, err := io.ReadFull(f.r, b[:]); err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint32(b[:]), nil
}

// readHeaderBlock decompresses one frame's header block of n compressed bytes. SPDY
// compresses all blocks of a direction as one zlib stream, so the block is appended to a
// feed that the connection's single decompressor reads from; the decompressor is created
// at the first block, which carries the zlib header. Bytes of a block the pairs did not
// need (the end of the sync flush) stay in the feed, in stream order, for the next block.
func (f *framer) readHeaderBlock(n int64) (http.Header, error) {
	if n < 0 {
		return nil, protocolError("negative header block length")
	}
	if _, err := io.CopyN(&f.headerFeed, f.r, n); err != nil {
		return nil, err
	}
	if f.decompress == nil {
		d, err := zlib.NewReaderDict(&f.headerFeed, headerDictionary)
		if err != nil {
			return nil, protocolError("header block: %v", err)
		}
		f.decompress = d
	}
	return parseHeaderBlock(f.decompress)
}

// parseHeaderBlock reads an uncompressed header block: a count, then that many
// (length, name, length, value) entries; a value holds several values separated by NUL.
// Names arrive lowercase; they are stored canonicalized so callers use Header.Get.
func parseHeaderBlock(r io.Reader) (http.Header, error) {
	var b [4]byte
	readLen := func() (uint32, error) {
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return 0, protocolError("header block: %v", err)
		}
		return binary.BigEndian.Uint32(b[:]), nil
	}
	count, err := readLen()
	if err != nil {
		return nil, err
	}
	if count > maxHeaderCount {
		return nil, protocolError("header block with %d entries", count)
	}
	h := make(http.Header, count)
	for i := uint32(0); i < count; i++ {
		var field [2][]byte
		for j := range field {
			n, err := readLen()
			if err != nil {
				return nil, err
			}
			if n > maxHeaderFieldLength {
				return nil, protocolError("header field of %d bytes", n)
			}
			field[j] = make([]byte, n)
			if _, err := io.ReadFull(r, field[j]); err != nil {
				return nil, protocolError("header block: %v", err)
			}
		}
		for _, v := range strings.Split(string(field[1]), "\x00") {
			h.Add(string(field[0]), v)
		}
	}
	return h, nil
}

// writeFrame encodes fr and writes it in one Write call.
func (f *framer) writeFrame(fr *Frame) error {
	var buf []byte
	if !fr.Control {
		if len(fr.Data) > maxFrameLength {
			return fmt.Errorf("spdy: data frame of %d bytes is too large", len(fr.Data))
		}
		buf = binary.BigEndian.AppendUint32(buf, fr.StreamID&0x7fffffff)
		buf = appendFlagsLength(buf, fr.Flags, len(fr.Data))
		buf = append(buf, fr.Data...)
		_, err := f.w.Write(buf)
		return err
	}

	var payload []byte
	switch fr.Type {
	case TypeSynStream:
		payload = binary.BigEndian.AppendUint32(payload, fr.StreamID&0x7fffffff)
		payload = binary.BigEndian.AppendUint32(payload, fr.AssociatedID&0x7fffffff)
		payload = append(payload, (fr.Priority&0x7)<<5, 0)
		block, err := f.compressHeaders(fr.Headers)
		if err != nil {
			return err
		}
		payload = append(payload, block...)
	case TypeSynReply, TypeHeaders:
		payload = binary.BigEndian.AppendUint32(payload, fr.StreamID&0x7fffffff)
		block, err := f.compressHeaders(fr.Headers)
		if err != nil {
			return err
		}
		payload = append(payload, block...)
	case TypeRstStream:
		payload = binary.BigEndian.AppendUint32(payload, fr.StreamID&0x7fffffff)
		payload = binary.BigEndian.AppendUint32(payload, fr.Status)
	case TypeGoAway:
		payload = binary.BigEndian.AppendUint32(payload, fr.LastGoodStreamID&0x7fffffff)
		payload = binary.BigEndian.AppendUint32(payload, fr.Status)
	case TypeWindowUpdate:
		payload = binary.BigEndian.AppendUint32(payload, fr.StreamID&0x7fffffff)
		payload = binary.BigEndian.AppendUint32(payload, fr.DeltaWindowSize&0x7fffffff)
	case TypePing:
		payload = binary.BigEndian.AppendUint32(payload, fr.PingID)
	case TypeSettings:
		ids := make([]uint32, 0, len(fr.Settings))
		for id := range fr.Settings {
			ids = append(ids, id)
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		payload = binary.BigEndian.AppendUint32(payload, uint32(len(ids)))
		for _, id := range ids {
			payload = binary.BigEndian.AppendUint32(payload, id&0xffffff)
			payload = binary.BigEndian.AppendUint32(payload, fr.Settings[id])
		}
	default:
		return fmt.Errorf("spdy: cannot write control frame type %d", fr.Type)
	}
	buf = binary.BigEndian.AppendUint32(buf, 0x80000000|Version<<16|uint32(fr.Type))
	buf = appendFlagsLength(buf, fr.Flags, len(payload))
	buf = append(buf, payload...)
	_, err := f.w.Write(buf)
	return err
}

func appendFlagsLength(buf []byte, flags uint8, n int) []byte {
	return append(buf, flags, byte(n>>16), byte(n>>8), byte(n))
}

// compressHeaders encodes h as a header block and compresses it, continuing the
// connection's compression stream and ending with a sync flush so the peer can decode the
// block without waiting for more. Names are sent lowercase (SPDY requires it) and in
// sorted order, so equal headers always encode to equal bytes.
func (f *framer) compressHeaders(h http.Header) ([]byte, error) {
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	sort.Strings(names)
	var raw []byte
	raw = binary.BigEndian.AppendUint32(raw, uint32(len(names)))
	for _, name := range names {
		lower := strings.ToLower(name)
		value := strings.Join(h[name], "\x00")
		raw = binary.BigEndian.AppendUint32(raw, uint32(len(lower)))
		raw = append(raw, lower...)
		raw = binary.BigEndian.AppendUint32(raw, uint32(len(value)))
		raw = append(raw, value...)
	}

	f.compressed.Reset()
	if f.compress == nil {
		w, err := zlib.NewWriterLevelDict(&f.compressed, zlib.DefaultCompression, headerDictionary)
		if err != nil {
			return nil, err
		}
		f.compress = w
	}
	if _, err := f.compress.Write(raw); err != nil {
		return nil, err
	}
	if err := f.compress.Flush(); err != nil {
		return nil, err
	}
	return bytes.Clone(f.compressed.Bytes()), nil
}
