-- milter-row.lua - one message through authscore-milter for report-docs
-- (test_docs.py, the Postfix snippets of docs/dmarc-reports.md): pass.eml
-- of good.example, whose DMARC policy has a rua, is accepted; its report
-- row is then looked for in the log directory.
-- -D SOCKET=... -D EX=... -D LIB=tests/milter/lib.lua
dofile(LIB)

run(function()
  local f, b = read_message(EX .. "/pass.eml")
  local conn = message("192.0.2.25", "mx.good.example", "alice@good.example", f, b)
  accepted_with(conn, "pass.eml", { "dmarc=pass", "header.from=good.example" })
  ok("pass.eml accepted with dmarc=pass")
  mt.disconnect(conn)
end)
