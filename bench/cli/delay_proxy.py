#!/usr/bin/python3
"""A DNS proxy on loopback that holds every query for a fixed delay.

    delay_proxy.py LISTEN_PORT UPSTREAM_PORT DELAY_MS [SECONDS]

UDP and TCP on 127.0.0.1:LISTEN_PORT; each query (UDP datagram or TCP
connection) waits DELAY_MS, then goes to 127.0.0.1:UPSTREAM_PORT (nsd),
and the answer comes straight back.  This is the "authoritative server
20 ms away" of the cold-cache benchmarks (docs/performance.md); it needs no
privileges (tc netem would).  It stops by itself after SECONDS (default
600) so that a benchmark that dies never leaves it behind.  Prints "ready"
once both sockets listen.
"""
import asyncio
import sys


class Udp(asyncio.DatagramProtocol):
    def __init__(self, upstream, delay):
        self.upstream, self.delay = upstream, delay

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        asyncio.get_running_loop().create_task(self.forward(data, addr))

    async def forward(self, data, addr):
        await asyncio.sleep(self.delay)
        loop = asyncio.get_running_loop()
        fut = loop.create_future()

        class Back(asyncio.DatagramProtocol):
            def datagram_received(self, reply, _):
                if not fut.done():
                    fut.set_result(reply)

        tr, _ = await loop.create_datagram_endpoint(
            Back, remote_addr=("127.0.0.1", self.upstream))
        try:
            tr.sendto(data)
            reply = await asyncio.wait_for(fut, 5)
            self.transport.sendto(reply, addr)
        except asyncio.TimeoutError:
            pass
        finally:
            tr.close()


async def tcp_client(reader, writer, upstream, delay):
    try:
        await asyncio.sleep(delay)
        ur, uw = await asyncio.open_connection("127.0.0.1", upstream)

        async def pipe(r, w):
            try:
                while True:
                    b = await r.read(65536)
                    if not b:
                        break
                    w.write(b)
                    await w.drain()
            finally:
                w.close()

        await asyncio.gather(pipe(reader, uw), pipe(ur, writer))
    except OSError:
        writer.close()


async def main():
    listen, upstream = int(sys.argv[1]), int(sys.argv[2])
    delay = int(sys.argv[3]) / 1000.0
    seconds = int(sys.argv[4]) if len(sys.argv) > 4 else 600
    loop = asyncio.get_running_loop()
    await loop.create_datagram_endpoint(lambda: Udp(upstream, delay),
                                        local_addr=("127.0.0.1", listen))
    await asyncio.start_server(
        lambda r, w: tcp_client(r, w, upstream, delay), "127.0.0.1", listen)
    print("ready", flush=True)
    await asyncio.sleep(seconds)


if __name__ == "__main__":
    asyncio.run(main())
