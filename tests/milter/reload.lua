-- reload.lua - after a SIGHUP (run-miltertest.sh): pass.eml carries the
-- authserv-id AUTHSERV_ID, and dnssec-bogus.eml (temperror) gets
-- TEMPERROR: "tempfail" (451) or "accept" (marked temperror).
-- -D SOCKET=... -D EX=... -D LIB=... -D AUTHSERV_ID=... -D TEMPERROR=...
dofile(LIB)

run(function()
  local f, b = read_message(EX .. "/pass.eml")
  local conn = message("192.0.2.25", "mx.good.example", "alice@good.example", f, b)
  accepted_with(conn, "pass.eml", { AUTHSERV_ID .. ";" })
  check(inserted_ar(conn):sub(1, #AUTHSERV_ID + 1) == AUTHSERV_ID .. ";",
        "pass.eml: authserv-id is not " .. AUTHSERV_ID .. ": " .. inserted_ar(conn))
  ok("pass.eml: Authentication-Results: " .. AUTHSERV_ID .. "; ...")
  mt.disconnect(conn)

  f, b = read_message(EX .. "/dnssec-bogus.eml")
  conn = message("192.0.2.90", "mail.bogus.example", "support@bogus.example", f, b)
  if TEMPERROR == "tempfail" then
    check(mt.eom_check(conn, MT_SMTPREPLY, "451", "4.7.5", TEMPFAIL_TEXT),
          "dnssec-bogus.eml: no 451 under temperror_action = tempfail")
  else
    accepted_with(conn, "dnssec-bogus.eml", { "=temperror" })
  end
  ok("dnssec-bogus.eml: temperror_action = " .. TEMPERROR)
  mt.disconnect(conn)
end)
