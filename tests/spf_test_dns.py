#!/usr/bin/python3
# A small DNS server for SPF tests, built on dnspython: serves zone data in
# the RFC 7208 test-suite format (the YAML "zonedata" maps) on 127.0.0.1,
# UDP and TCP, one port per zone. Used by rfc7208_suite.py; the semantics of
# TIMEOUT, NONE, SPF-to-TXT copying and one-level CNAME answers follow
# pyspf's testspf.py so that the suite means what its authors meant.
import socket
import socketserver
import threading

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.CNAME
import dns.rdtypes.ANY.MX
import dns.rdtypes.ANY.PTR
import dns.rdtypes.ANY.TXT
import dns.rdtypes.IN.A
import dns.rdtypes.IN.AAAA
import dns.rrset

IN = dns.rdataclass.IN
TIMEOUT = object()  # marker: do not answer


def load_zone(zonedata):
    """Lower-cased name -> list of (type, value) or 'TIMEOUT', as testspf.py."""
    zone = {}
    for name, entries in (zonedata or {}).items():
        out = []
        txt_present = any(isinstance(e, dict) and 'TXT' in e for e in entries)
        generated = []
        for e in entries:
            if not isinstance(e, dict):
                out.append(e)  # 'TIMEOUT'
                continue
            for t, v in e.items():
                if t in ('TXT', 'SPF') and isinstance(v, str):
                    v = [v]
                if t == 'SPF' and not txt_present:
                    generated.append(('TXT', v))
                if v != ['NONE']:
                    out.append((t, v))
        out.extend(generated)
        zone[name.lower().rstrip('.')] = out
    return zone


def make_rdata(t, v):
    if t == 'A':
        return dns.rdatatype.A, dns.rdtypes.IN.A.A(IN, dns.rdatatype.A, v)
    if t == 'AAAA':
        return dns.rdatatype.AAAA, dns.rdtypes.IN.AAAA.AAAA(IN, dns.rdatatype.AAAA, v)
    if t == 'MX':
        return dns.rdatatype.MX, dns.rdtypes.ANY.MX.MX(IN, dns.rdatatype.MX, int(v[0]), to_name(v[1]))
    if t == 'PTR':
        return dns.rdatatype.PTR, dns.rdtypes.ANY.PTR.PTR(IN, dns.rdatatype.PTR, to_name(v))
    if t == 'CNAME':
        return dns.rdatatype.CNAME, dns.rdtypes.ANY.CNAME.CNAME(IN, dns.rdatatype.CNAME, to_name(v))
    if t in ('TXT', 'SPF'):
        strings = []
        for s in v:
            b = s.encode('utf-8')
            # A character-string holds at most 255 octets (RFC 1035 3.3).
            strings.extend([b[i:i + 255] for i in range(0, len(b), 255)] or [b''])
        rtype = dns.rdatatype.TXT if t == 'TXT' else dns.rdatatype.SPF
        return rtype, dns.rdtypes.ANY.TXT.TXT(IN, rtype, strings)
    return None, None


def to_name(text):
    labels = [l.encode('utf-8') for l in text.rstrip('.').split('.') if l]
    return dns.name.Name(labels + [b''])


def name_text(qname):
    return b'.'.join(qname.labels[:-1]).decode('latin-1').lower()


def answer(zone, qname, qtype, depth=0):
    """Returns (rcode, [(name, rdtype, rdata)]) or TIMEOUT; like pyspf's test
    driver, a CNAME's target is added for one level only."""
    name = name_text(qname)
    if name not in zone:
        if name.startswith('error.'):
            return TIMEOUT
        return dns.rcode.NXDOMAIN, []
    records = []
    seen_type = False
    for entry in zone[name]:
        if entry == 'TIMEOUT':
            if not seen_type:
                return TIMEOUT
            break
        t, v = entry
        rtype, rdata = make_rdata(t, v) if v != 'TIMEOUT' else (dns.rdatatype.from_text(t), None)
        if rtype == qtype:
            seen_type = True
            if v == 'TIMEOUT':
                return TIMEOUT
        if rdata is None:
            continue
        if rtype == qtype or rtype == dns.rdatatype.CNAME:
            records.append((qname, rtype, rdata))
            if rtype == dns.rdatatype.CNAME and qtype != dns.rdatatype.CNAME and depth == 0:
                target = answer(zone, rdata.target, qtype, depth + 1)
                if target is not TIMEOUT:
                    records.extend(target[1])
    return dns.rcode.NOERROR, records


def build_response(zone, wire, max_size):
    try:
        query = dns.message.from_wire(wire)
    except Exception:
        return None
    if not query.question:
        return None
    q = query.question[0]
    result = answer(zone, q.name, q.rdtype)
    if result is TIMEOUT:
        return None
    rcode, records = result
    resp = dns.message.make_response(query)
    resp.set_rcode(rcode)
    resp.flags |= dns.flags.RA
    for name, rtype, rdata in records:
        rrset = resp.find_rrset(resp.answer, name, IN, rtype, create=True)
        rrset.add(rdata, ttl=0)
    try:
        return resp.to_wire(max_size=max_size)
    except dns.exception.TooBig:
        resp.answer = []
        resp.flags |= dns.flags.TC
        return resp.to_wire()


class ZoneServer:
    """UDP and TCP on one 127.0.0.1 port, answering from ZONE."""

    def __init__(self, zone):
        self.zone = zone
        zone_ref = self

        class Udp(socketserver.BaseRequestHandler):
            def handle(self):
                data, sock = self.request
                out = build_response(zone_ref.zone, data, 512)
                if out is not None:
                    sock.sendto(out, self.client_address)

        class Tcp(socketserver.BaseRequestHandler):
            def handle(self):
                try:
                    head = self.request.recv(2)
                    if len(head) < 2:
                        return
                    n = int.from_bytes(head, 'big')
                    data = b''
                    while len(data) < n:
                        chunk = self.request.recv(n - len(data))
                        if not chunk:
                            return
                        data += chunk
                    out = build_response(zone_ref.zone, data, 65535)
                    if out is not None:
                        self.request.sendall(len(out).to_bytes(2, 'big') + out)
                except OSError:
                    pass

        # Bind TCP first on port 0, then UDP on the same port number.
        for _ in range(20):
            self.tcp = socketserver.ThreadingTCPServer(('127.0.0.1', 0), Tcp, bind_and_activate=False)
            self.tcp.allow_reuse_address = True
            self.tcp.daemon_threads = True
            self.tcp.server_bind()
            self.tcp.server_activate()
            self.port = self.tcp.server_address[1]
            try:
                self.udp = socketserver.ThreadingUDPServer(('127.0.0.1', self.port), Udp)
                self.udp.daemon_threads = True
                break
            except OSError:
                self.tcp.server_close()
        else:
            raise RuntimeError('no free port pair')
        for s in (self.tcp, self.udp):
            s.handle_error = lambda request, address: None
            threading.Thread(target=s.serve_forever, daemon=True).start()

    def close(self):
        for s in (self.tcp, self.udp):
            s.shutdown()
            s.server_close()


if __name__ == '__main__':
    # Serve a YAML zone file given as argument until stdin closes, printing
    # the port (handy by hand: spf_test_dns.py zone.yml).
    import sys
    import yaml
    with open(sys.argv[1]) as f:
        srv = ZoneServer(load_zone(yaml.safe_load(f)))
    print(srv.port, flush=True)
    sys.stdin.read()
    srv.close()
