package server

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
)

// socketBuffer is the size of a websocket's read and write buffers. Most
// GraphQL-over-websocket messages (a subscribe, a notification) are a few
// hundred bytes; longer ones pass through in more reads and writes. The
// 4 KiB buffers net/http hands over at the upgrade would cost every idle
// subscription 8 KiB of heap for nothing.
const socketBuffer = 512

// smallBuffers wraps a ResponseWriter so that hijacking it for a websocket
// yields small buffers instead of net/http's 4 KiB ones. The bytes the
// client sent after its handshake, already read into net/http's buffer, are
// carried over.
type smallBuffers struct {
	http.ResponseWriter
}

// Hijack takes over the connection with small buffers.
func (w smallBuffers) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	early := brw.Reader.Buffered()
	if early == 0 {
		return conn, bufio.NewReadWriter(bufio.NewReaderSize(conn, socketBuffer), bufio.NewWriterSize(conn, socketBuffer)), nil
	}
	b, _ := brw.Reader.Peek(early)
	// The new reader holds the early bytes in its own buffer (websocket
	// Accept reads what is buffered from there), then reads the connection.
	r := bufio.NewReaderSize(io.MultiReader(bytes.NewReader(bytes.Clone(b)), conn), max(socketBuffer, early))
	if _, err := r.Peek(early); err != nil {
		conn.Close()
		return nil, nil, err
	}
	return conn, bufio.NewReadWriter(r, bufio.NewWriterSize(conn, socketBuffer)), nil
}

// Unwrap lets http.ResponseController reach the wrapped writer.
func (w smallBuffers) Unwrap() http.ResponseWriter { return w.ResponseWriter }
