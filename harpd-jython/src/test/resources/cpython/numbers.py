# socket's byte-order functions (x86-64 is little-endian), sys.float_info and pow() overflow; numbers.expected is
# this file's output under CPython 2.7.18 on x86-64 Linux (python2.7 numbers.py).
import socket
import sys
lines = []
for e in ["socket.htons(1)", "socket.htons(0x1234)", "socket.htons(0x12345)", "socket.htons(-1)", "socket.htons(2**40)",
          "socket.htons(None)", "socket.htons(1.5)", "socket.htonl(1)", "socket.htonl(0x12345678)", "socket.htonl(2**32)",
          "socket.htonl(-1)", "socket.htonl(None)", "socket.htonl(1L)", "socket.ntohs(0x1234)", "socket.ntohl(0x12345678)",
          "socket.ntohl(-1)", "socket.ntohl(2**32)", "socket.htonl(1.5)", "socket.ntohs(-1)", "sys.float_info",
          "sys.float_info.dig", "sys.float_info[3]", "len(sys.float_info)", "pow(10.0, 400)", "pow(10, 400.0)",
          "pow(-10.0, 401)", "pow(10.0, -400)", "pow(float('inf'), 2)", "pow(2, 10)", "pow(2, 100)", "pow(2, 10, 7)",
          "pow(0.0, -1)", "pow(10.0, 2)", "pow(-8.0, 1.0 / 3)"]:
    try:
        lines.append("%s -> %r" % (e, eval(e)))
    except Exception as x:
        lines.append("%s -> %s: %s" % (e, type(x).__name__, x))
if __name__ == "__main__":
    print "\n".join(lines)
