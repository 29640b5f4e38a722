#!/usr/bin/env python3
"""A real SMTP server on 127.0.0.1 (Debian's python3-aiosmtpd) for the e-mail sink's tests: prints
its port, then records every message received (envelope sender, recipients, the message as sent)
as one JSON line in RECORD. Usage: smtp_server.py MODE RECORD (MODE is unused: always accepts)."""
import json
import socket
import sys
import time

from aiosmtpd.controller import Controller

record = sys.argv[2]


class Recorder:
    async def handle_DATA(self, server, session, envelope):
        with open(record, "a") as f:
            f.write(json.dumps({"from": envelope.mail_from, "to": envelope.rcpt_tos,
                                "message": envelope.original_content.decode("utf-8")}) + "\n")
        return "250 Message accepted for delivery"


with socket.socket() as s:  # a free port (aiosmtpd's controller wants one given)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
controller = Controller(Recorder(), hostname="127.0.0.1", port=port)
controller.start()
print(port, flush=True)
while True:
    time.sleep(3600)
