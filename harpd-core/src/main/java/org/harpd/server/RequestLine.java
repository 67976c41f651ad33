package org.harpd.server;

/** The complete request line, newline stripped: what {@link RequestFrameDecoder} passes on, once per connection. */
record RequestLine(byte[] bytes) {
}
