-- lib.lua - helpers for the miltertest scripts of tests/milter.
-- Globals from miltertest -D: SOCKET (the milter's), EX (examples/messages).

-- The default tempfail_reply text (module/host/milter/conf.c).
TEMPFAIL_TEXT = "temporary failure while checking SPF, DKIM or DMARC"

function check(cond, what)
  if not cond then error(what, 2) end
end

-- A miltertest call returns nil on success, else an error text.
function must(r, what)
  if r ~= nil then error(what .. ": " .. tostring(r), 2) end
end

function connect()
  local c = mt.connect(SOCKET, 50, 0.1)
  check(c ~= nil, "cannot connect to " .. SOCKET)
  return c
end

-- A message file as header fields {name, value} (folded lines joined by
-- LF, as Postfix sends them) and a body with CRLF line ends.
function read_message(path)
  local f = assert(io.open(path, "rb"))
  local text = f:read("*a"):gsub("\r\n", "\n")
  f:close()
  local head, body = text:match("^(.-)\n\n(.*)$")
  local fields = {}
  for line in (head .. "\n"):gmatch("(.-)\n") do
    if line:match("^[ \t]") then
      fields[#fields].value = fields[#fields].value .. "\n" .. line
    else
      local name, value = line:match("^([^:]+):(.*)$")
      fields[#fields + 1] = { name = name, value = value }
    end
  end
  return fields, (body:gsub("\n", "\r\n"))
end

-- Connection details and, unless helo is nil, HELO.
function open(conn, ip, helo)
  must(mt.conninfo(conn, "client.example", ip), "conninfo")
  if helo ~= nil then must(mt.helo(conn, helo), "helo") end
end

-- One transaction up to end of message: MAIL FROM, RCPT TO (rcpts of
-- them), the fields (extra ones first) and the body.
function transaction(conn, from, fields, body, extra, rcpts)
  must(mt.mailfrom(conn, "<" .. from .. ">"), "mailfrom")
  for i = 1, rcpts or 1 do
    must(mt.rcptto(conn, "<rcpt" .. i .. "@receiver.example>"), "rcptto " .. i)
  end
  local lead = mt.test_option(conn, SMFIP_HDR_LEADSPC)
  local all = {}
  for _, x in ipairs(extra or {}) do all[#all + 1] = x end
  for _, x in ipairs(fields) do all[#all + 1] = x end
  for _, x in ipairs(all) do
    local v = x.value
    if not lead then v = v:gsub("^ ", "") end
    must(mt.header(conn, x.name, v), "header " .. x.name)
  end
  must(mt.eoh(conn), "eoh")
  must(mt.bodystring(conn, body), "body")
  must(mt.eom(conn), "eom")
end

-- The value of the Authentication-Results field the milter inserted,
-- unfolded, or nil.
function inserted_ar(conn)
  local v = mt.getheader(conn, "Authentication-Results", 0)
  if v == nil then return nil end
  return (v:gsub("\r?\n\t", " "):gsub("^ +", ""))
end

-- A new connection with a transaction begun by hand: up to a From field.
function begun(ip, helo, from)
  local conn = connect()
  open(conn, ip, helo)
  must(mt.mailfrom(conn, "<" .. from .. ">"), "mailfrom")
  must(mt.rcptto(conn, "<bob@receiver.example>"), "rcptto")
  must(mt.header(conn, "From", " " .. from), "header")
  return conn
end

-- A new connection from ip/helo with one whole transaction; returns the
-- connection, still open, for the checks of its end of message.
function message(ip, helo, from, fields, body, extra, rcpts)
  local conn = connect()
  open(conn, ip, helo)
  transaction(conn, from, fields, body, extra, rcpts)
  return conn
end

-- The transaction on conn was accepted and got our field, holding each
-- of `wants` (plain substrings).  Returns the field, unfolded.
function accepted_with(conn, what, wants)
  expect_accept(conn, what)
  local ar = inserted_ar(conn)
  for _, w in ipairs(wants) do
    check(ar and ar:find(w, 1, true), what .. ": no " .. w .. " in " .. tostring(ar))
  end
  return ar
end

function expect_accept(conn, what)
  check(mt.getreply(conn) == SMFIR_ACCEPT or mt.getreply(conn) == SMFIR_CONTINUE,
        what .. ": not accepted (reply " .. tostring(mt.getreply(conn)) .. ")")
end

-- Each line of the inserted field at most 78 columns, the name included.
function check_folded(conn, what)
  local v = mt.getheader(conn, "Authentication-Results", 0)
  local first = true
  for line in (v .. "\n"):gmatch("(.-)\n") do
    local cols = #line:gsub("\t", "        ")
    if first then cols = cols + #"Authentication-Results:" end
    check(cols <= 78, what .. ": line over 78 columns: " .. line)
    first = false
  end
end

passed = 0
function ok(what)
  passed = passed + 1
  mt.echo("ok: " .. what)
end

-- miltertest exits 1 on a Lua error without printing it: say it first.
function run(fn)
  local good, err = pcall(fn)
  if not good then
    mt.echo("FAIL: " .. tostring(err))
    error(err)
  end
  mt.echo(passed .. " cases passed")
end
