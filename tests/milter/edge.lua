-- edge.lua - protocol edge cases against a running authscore-milter
-- (run-miltertest.sh): each case names what the MTA does and what the
-- milter must answer.  -D SOCKET=... -D EX=examples/messages -D LIB=lib.lua
dofile(LIB)

run(function()
  local pf, pb = read_message(EX .. "/pass.eml")
  local pass_wants = { "dkim=pass header.d=good.example", "dmarc=pass header.from=good.example" }

  -- 1. The MTA aborts mid-message (RSET, or a client that went away after
  --    some header fields and body); the next message on the connection
  --    must be judged on its own bytes only.  Leftovers of the first one
  --    (a second From field) would make DMARC fail or permerror.
  local conn = connect()
  open(conn, "192.0.2.25", "mx.good.example")
  must(mt.mailfrom(conn, "<alice@good.example>"), "mailfrom")
  must(mt.rcptto(conn, "<bob@receiver.example>"), "rcptto")
  must(mt.header(conn, "From", " Mallory <ceo@good.example>"), "header")
  must(mt.header(conn, "Subject", " half"), "header")
  must(mt.eoh(conn), "eoh")
  must(mt.bodystring(conn, "half a body\r\n"), "body")
  must(mt.abort(conn), "abort")
  transaction(conn, "alice@good.example", pf, pb)
  local ar = accepted_with(conn, "after an abort", pass_wants)
  check_folded(conn, "after an abort")
  ok("abort mid-message, then a whole message on the same connection: " .. ar)

  -- 2. Abort right after MAIL FROM, twice, then a message: no reference to
  --    the shared context may leak (the daemon's later reload frees it).
  for _ = 1, 2 do
    must(mt.mailfrom(conn, "<alice@good.example>"), "mailfrom")
    must(mt.abort(conn), "abort")
  end
  transaction(conn, "alice@good.example", pf, pb)
  accepted_with(conn, "after two aborts", pass_wants)
  ok("two aborts after MAIL FROM, then a message")
  mt.disconnect(conn)

  -- 3. An IPv4 client over IPv6 (::ffff:192.0.2.25, RFC 4291 2.5.5.2):
  --    SPF's ip4 mechanisms must see 192.0.2.25.  (A connection without
  --    HELO: miltertest fills in a HELO of its own, so run-postfix.sh sends
  --    one over SMTP.)
  conn = message("::ffff:192.0.2.25", "mx.good.example", "alice@good.example", pf, pb)
  accepted_with(conn, "IPv4-mapped client", { "spf=pass smtp.mailfrom=alice@good.example" })
  ok("an IPv4-mapped IPv6 client address: spf=pass")
  mt.disconnect(conn)

  -- 4. Many recipients: 1000 RCPT TO on one message.
  conn = message("192.0.2.25", "mx.good.example", "alice@good.example", pf, pb, nil, 1000)
  accepted_with(conn, "1000 recipients", pass_wants)
  ok("1000 recipients: one verdict, dkim=pass dmarc=pass")
  mt.disconnect(conn)

  -- 5. A huge header block: 900 fields of 1,000 bytes (900 KB, under the
  --    library's 1 MiB and 1,000-field caps) before the signed fields:
  --    still one verdict, DKIM still passes.  (miltertest itself cannot
  --    send one field over about 4 KB; run-postfix.sh sends a 60 KB one.)
  local function fillers(n, size)
    local t = {}
    for i = 1, n do
      t[i] = { name = string.format("X-Filler-%04d", i), value = " " .. string.rep("f", size) }
    end
    return t
  end
  conn = message("192.0.2.25", "mx.good.example", "alice@good.example", pf, pb, fillers(900, 1000))
  accepted_with(conn, "huge header block", pass_wants)
  ok("a 900 KB header block of 900 fields: dkim=pass dmarc=pass")

  -- 6. Past the library's caps (1,100 fields before From): the From field
  --    is never seen, so no verdict may rest on it: 552 5.3.4, not a DMARC
  --    result computed without the author.
  transaction(conn, "ceo@good.example", pf, pb, fillers(1100, 10))
  check(mt.eom_check(conn, MT_SMTPREPLY, "552", "5.3.4",
                     "header too large to check its authentication"),
        "1,100 header fields: no 552 5.3.4 (reply " .. tostring(mt.getreply(conn)) .. ")")
  ok("1,100 header fields (over the library's cap): 552 5.3.4")
  mt.disconnect(conn)

  -- 6b. The MTA drops the connection mid-message: the daemon serves the
  --     next connection.
  conn = begun("192.0.2.25", "mx.good.example", "alice@good.example")
  must(mt.bodystring(conn, "part of a body\r\n"), "body")
  mt.disconnect(conn, false)
  conn = message("192.0.2.25", "mx.good.example", "alice@good.example", pf, pb)
  accepted_with(conn, "after a dropped connection", pass_wants)
  ok("a connection dropped mid-message; the next one is served")
  mt.disconnect(conn)

  -- 7. Authentication-Results fields: ours (any case, after a comment,
  --    quoted) are deleted, another host's stays (RFC 8601 section 5).
  conn = message("192.0.2.25", "mx.good.example", "alice@good.example", pf, pb, {
    { name = "Authentication-Results", value = " other.example; dkim=pass header.d=good.example" },
  })
  accepted_with(conn, "foreign A-R", pass_wants)
  check(not mt.eom_check(conn, MT_HDRDELETE), "another host's Authentication-Results was deleted")
  ok("another host's Authentication-Results is kept")
  transaction(conn, "alice@good.example", pf, pb, {
    { name = "Authentication-Results", value = " (forged) MX.Receiver.Example; dmarc=pass" },
    { name = "Authentication-Results", value = " other.example; spf=pass" },
    { name = "Authentication-Results", value = ' "mx.receiver.example"; dkim=pass' },
  })
  accepted_with(conn, "forged A-R", pass_wants)
  check(mt.eom_check(conn, MT_HDRDELETE, "Authentication-Results"), "our forged A-R was not deleted")
  ok("forged Authentication-Results with our authserv-id (case, comment, quoted) are deleted")
  mt.disconnect(conn)

  -- 8. SMTP AUTH ({auth_authen} at MAIL FROM): not evaluated, nothing
  --    added, our forged field still deleted.
  conn = connect()
  open(conn, "198.51.100.9", "laptop.example")
  must(mt.macro(conn, SMFIC_MAIL, "{auth_authen}", "alice"), "macro")
  transaction(conn, "alice@good.example", pf, pb, {
    { name = "Authentication-Results", value = " mx.receiver.example; dmarc=pass" },
  })
  expect_accept(conn, "authenticated")
  check(not mt.eom_check(conn, MT_HDRINSERT), "an authenticated submission got a header")
  check(mt.eom_check(conn, MT_HDRDELETE, "Authentication-Results"), "forged A-R kept on submission")
  ok("authenticated submission: not evaluated, our forged field deleted")
  mt.disconnect(conn)

  -- 9. Verdicts: DMARC p=reject failure, a DNSSEC-bogus (temperror)
  --    message, a score over score_quarantine.
  local f, b = read_message(EX .. "/dmarc-reject.eml")
  conn = message("203.0.113.66", "mail.good.example", "ceo@good.example", f, b)
  check(mt.eom_check(conn, MT_SMTPREPLY, "550", "5.7.1",
                     "rejected by the DMARC policy of the author domain"),
        "dmarc-reject.eml: no 550 5.7.1 (reply " .. tostring(mt.getreply(conn)) .. ")")
  check(not mt.eom_check(conn, MT_HDRINSERT), "a rejected message got headers")
  ok("dmarc-reject.eml: 550 5.7.1")
  mt.disconnect(conn)

  f, b = read_message(EX .. "/dnssec-bogus.eml")
  conn = message("192.0.2.90", "mail.bogus.example", "support@bogus.example", f, b)
  check(mt.eom_check(conn, MT_SMTPREPLY, "451", "4.7.5", TEMPFAIL_TEXT),
        "dnssec-bogus.eml: no 451 4.7.5 (reply " .. tostring(mt.getreply(conn)) .. ")")
  ok("dnssec-bogus.eml (temperror): 451 4.7.5")
  mt.disconnect(conn)

  f, b = read_message(EX .. "/spf-fail.eml")
  for _, x in ipairs(f) do
    if x.name == "From" then x.value = " news@softpolicy.example, billing@softpolicy.example" end
    if x.name == "Subject" then x.value = " Urgent payment due" end
  end
  conn = message("198.51.100.7", "mail.softpolicy.example", "news@softpolicy.example", f, b)
  expect_accept(conn, "high score")
  check(mt.eom_check(conn, MT_QUARANTINE), "score 7.90 not quarantined")
  local xa = mt.getheader(conn, "X-Authscore", 0)
  check(xa and xa:find("7.90;", 1, true), "X-Authscore lacks 7.90: " .. tostring(xa))
  ok("score 7.90 over score_quarantine 6: quarantined, X-Authscore " .. (xa:gsub("\r?\n\t", " ")))
  mt.disconnect(conn)

  -- 10. A message over max_message_size (1 MiB here): not evaluated,
  --     oversize_action tempfail.
  conn = begun("192.0.2.25", "mx.good.example", "alice@good.example")
  must(mt.eoh(conn), "eoh")
  local chunk = string.rep(string.rep("z", 998) .. "\r\n", 60)
  for _ = 1, 20 do must(mt.bodystring(conn, chunk), "body") end
  must(mt.eom(conn), "eom")
  check(mt.eom_check(conn, MT_SMTPREPLY, "451", "4.7.5", TEMPFAIL_TEXT),
        "1.2 MB message: no 451 4.7.5")
  check(not mt.eom_check(conn, MT_HDRINSERT), "an oversize message got a verdict")
  ok("a 1.2 MB message over max_message_size: 451, no verdict")
  mt.disconnect(conn)
end)
