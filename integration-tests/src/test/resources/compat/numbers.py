# Numbers as procedures compute them: byte order for network code, float limits and overflow.
import socket
import sys
from harpd.proc import procedure


@procedure
def network_order(port, address):
    return [socket.htons(port), socket.ntohs(socket.htons(port)), socket.htonl(address), socket.ntohl(address)]


@procedure
def float_limits():
    info = sys.float_info
    return {"dig": info.dig, "min": info.min, "max_exp": info.max_exp, "min_exp": info.min_exp,
            "epsilon": info.epsilon, "all": list(info)}


@procedure
def power(base, exponent):
    return pow(float(base), exponent)
