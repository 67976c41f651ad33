"""
harpd's log records, for procedures and authentication modules that log the way the daemon does.

harpd logs each event as one line of JSON, ``{"message": "...", <context>}``: the message first, then
the context keys sorted, written as ``json.dumps`` writes them. Records go through Python's
``logging`` (logger ``harpd``), so harpd's logging configuration (``-l``, ``--syslog``) applies.
"""

from __future__ import absolute_import

import json
import logging

__all__ = ["format_message", "log", "debug", "info", "warning", "error"]

_logger = logging.getLogger("harpd")


def format_message(message, **context):
    """The record as harpd writes it: ``{"message": ..., <context keys sorted>}`` on one line."""
    context.pop("message", None)
    head = '{"message": ' + json.dumps(message)
    if not context:
        return head + "}"
    return head + ", " + json.dumps(context, sort_keys=True)[1:]


def log(message, **context):
    """Log an INFO record (as ``RequestHandler.log`` does)."""
    _logger.info("%s", format_message(message, **context))


def debug(message, **context):
    _logger.debug("%s", format_message(message, **context))


def info(message, **context):
    _logger.info("%s", format_message(message, **context))


def warning(message, **context):
    _logger.warning("%s", format_message(message, **context))


def error(message, **context):
    _logger.error("%s", format_message(message, **context))
