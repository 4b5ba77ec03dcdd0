-- inflight.lua - one message whose DNS hangs (hang.test: a name server
-- that never answers) until dns.timeout_ms; run-miltertest.sh sends
-- SIGHUP meanwhile.  The message must finish on the context it started
-- with: its Authentication-Results carries AUTHSERV_ID, the old one.
-- -D SOCKET=... -D LIB=... -D AUTHSERV_ID=... -D STARTED=file
dofile(LIB)

run(function()
  local conn = connect()
  open(conn, "192.0.2.77", "mail.hang.test")
  must(mt.mailfrom(conn, "<news@hang.test>"), "mailfrom")
  must(mt.rcptto(conn, "<bob@receiver.example>"), "rcptto")
  local lead = mt.test_option(conn, SMFIP_HDR_LEADSPC) and " " or ""
  must(mt.header(conn, "From", lead .. "news@hang.test"), "header")
  must(mt.header(conn, "Subject", lead .. "slow DNS"), "header")
  must(mt.eoh(conn), "eoh")
  must(mt.bodystring(conn, "hello\r\n"), "body")
  -- Tell the shell that the message is about to be judged.
  local s = assert(io.open(STARTED, "w"))
  s:write("1\n")
  s:close()
  must(mt.eom(conn), "eom")
  expect_accept(conn, "in flight")
  local ar = inserted_ar(conn)
  check(ar and ar:sub(1, #AUTHSERV_ID + 1) == AUTHSERV_ID .. ";",
        "in flight: not finished on the old context: " .. tostring(ar))
  check(ar:find("temperror", 1, true), "in flight: no temperror: " .. ar)
  ok("a message in flight during SIGHUP finished on the old context: " .. ar)
  mt.disconnect(conn)
end)
