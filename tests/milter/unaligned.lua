-- unaligned.lua - a DMARC failure must not hide behind a temperror of
-- its own making (run-miltertest.sh, under temperror_action = tempfail,
-- the default, and = accept): dmarc-reject.eml (From good.example,
-- p=reject, SPF fails) plus a DKIM-Signature anyone can add, d=hang.test,
-- whose key lookup times out (hang.test: a name server that never
-- answers).  That signature cannot align with good.example, so DMARC
-- fails whatever its key says: 550 5.7.1, never 451 (tempfail) nor an
-- accepted spoof (accept).  run-miltertest.sh checks in the log, by the
-- queue id QID, that the signature really was temperror.
-- -D SOCKET=... -D EX=... -D LIB=... -D TEMPERROR=... -D QID=...
dofile(LIB)

run(function()
  local f, b = read_message(EX .. "/dmarc-reject.eml")
  local junk = {
    { name = "DKIM-Signature",
      value = " v=1; a=rsa-sha256; c=relaxed/relaxed; d=hang.test; s=x;\n" ..
              "\th=from:to:subject:date;\n" ..
              "\tbh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;\n" ..
              "\tb=aGFuZy50ZXN0IG5ldmVyIGFuc3dlcnM=" },
  }
  local conn = connect()
  open(conn, "203.0.113.66", "mail.good.example")
  must(mt.macro(conn, SMFIC_MAIL, "i", QID), "macro")
  transaction(conn, "ceo@good.example", f, b, junk)
  check(mt.eom_check(conn, MT_SMTPREPLY, "550", "5.7.1",
                     "rejected by the DMARC policy of the author domain"),
        "temperror_action = " .. TEMPERROR .. ": no 550 5.7.1 (reply " ..
        tostring(mt.getreply(conn)) .. ")")
  check(not mt.eom_check(conn, MT_HDRINSERT), "a rejected message got headers")
  ok("dmarc-reject.eml + an unaligned signature that times out, temperror_action = " ..
     TEMPERROR .. ": 550 5.7.1")
  mt.disconnect(conn)
end)
