--[[ test-plugin.lua - the plugin's pure helpers (authscore_helpers.lua),
in Rspamd's own LuaJIT: PTR names, record text, the probe's query and its
reply parser (rcode, TTL, EDE) on good, truncated, hostile and random
packets, and the folding of the A-R value.
usage: rspamadm lua -a PATH/authscore.lua tests/rspamd/test-plugin.lua
The plugin file is loaded without an `authscore` section, so it only
loads its helpers and returns them.  Prints "N passed, N failed"; exits 1
on a failure. ]]
local bit = require "bit"
local path = arg and arg[1]
if not path then print('usage: rspamadm lua -a authscore.lua test-plugin.lua'); os.exit(2) end
local P = dofile(path)

local passed, failed = 0, 0
local function check(cond, what)
  if cond then passed = passed + 1 else failed = failed + 1; print('FAIL: ' .. what) end
end
local function eq(got, want, what)
  check(got == want, string.format('%s: got %s, want %s', what, tostring(got), tostring(want)))
end

-- PTR names back to the address Rspamd's resolve_ptr wants.
eq(P.ptr_to_ip('25.2.0.192.in-addr.arpa'), '192.0.2.25', 'ptr v4')
eq(P.ptr_to_ip('25.2.0.192.IN-ADDR.ARPA.'), '192.0.2.25', 'ptr v4, case and root dot')
eq(P.ptr_to_ip('2.0.192.in-addr.arpa'), nil, 'ptr v4 with three labels')
local nib = {}
for c in ('20010db8000000000000000000000025'):gmatch('.') do table.insert(nib, 1, c) end
eq(P.ptr_to_ip(table.concat(nib, '.') .. '.ip6.arpa'), '2001:0db8:0000:0000:0000:0000:0000:0025', 'ptr v6')
eq(P.ptr_to_ip('5.2.ip6.arpa'), nil, 'ptr v6, too few nibbles')
eq(P.ptr_to_ip('example.com'), nil, 'not a reverse name')

-- Record text forms of authscore_msg_answer().
eq(P.record_text(15, { name = 'mx.good.example', priority = 10 }), '10 mx.good.example', 'MX text')
eq(P.record_text(15, 'garbage'), nil, 'MX without a table')
eq(P.record_text(16, 'v=spf1 -all'), 'v=spf1 -all', 'TXT text')

-- Queries: header, question, OPT with DO; bad names refused.
local q = P.build_query(0x1234, 'good.example', 16)
eq(#q, 12 + 14 + 4 + 11, 'query length')
eq(q:sub(1, 2), '\018\052', 'query id')
eq(q:byte(3), 0x01, 'RD set')
eq(q:sub(13, 26), '\004good\007example\000', 'qname wire form')
eq(q:sub(27, 30), '\000\016\000\001', 'qtype TXT, class IN')
eq(q:sub(31), '\000\000\041\004\208\000\000\128\000\000\000', 'OPT record with DO')
eq(P.build_query(1, string.rep('a', 64) .. '.example', 1), nil, '64-byte label refused')
eq(P.build_query(1, string.rep('abcdefghi.', 26), 1), nil, 'name over 255 bytes refused')

-- Replies.  A SERVFAIL with EDE 6 as unbound sends it, then damaged forms.
local function u16(n) return string.char(bit.rshift(n, 8), bit.band(n, 255)) end
local question = '\005bogus\007example\000' .. u16(16) .. u16(1)
local function reply(id, flags, an, ns, ar, body)
  return u16(id) .. u16(flags) .. u16(1) .. u16(an) .. u16(ns) .. u16(ar) .. question .. body
end
local text = 'validation failure <bogus.example. TXT IN>: signature crypto failed'
local ede = u16(15) .. u16(2 + #text) .. u16(6) .. text
local opt = '\000' .. u16(41) .. u16(1232) .. '\000\000\128\000' .. u16(#ede) .. ede
local good = reply(0x4242, 0x8182, 0, 0, 1, opt)
local rcode, info, why = P.parse_ede(good, 0x4242)
eq(rcode, 2, 'SERVFAIL rcode')
eq(info, 6, 'EDE info-code')
eq(why, text, 'EDE extra text')
check(P.EDE_BOGUS[info] ~= nil, 'code 6 means bogus')
check(P.EDE_BOGUS[3] == nil and P.EDE_BOGUS[22] == nil, 'stale answer / no reachable authority are not bogus')
eq(P.parse_ede(good, 0x4243), nil, 'another query id')
eq(P.parse_ede(reply(0x4242, 0x0182, 0, 0, 1, opt), 0x4242), nil, 'a query, not a reply')
-- Without text, as unbound sends it from its cache.
local short = u16(15) .. u16(2) .. u16(6)
local r2, i2, w2 = P.parse_ede(reply(7, 0x8182, 0, 0, 1, '\000' .. u16(41) .. u16(1232) .. '\000\000\128\000' .. u16(#short) .. short), 7)
check(r2 == 2 and i2 == 6 and w2 == '', 'EDE 6 without text')
-- An OPT-typed record in the answer section is not the OPT record.
local fake_an = '\192\012' .. u16(41) .. u16(1) .. '\000\000\000\060' .. u16(#ede) .. ede
local r3, i3 = P.parse_ede(reply(8, 0x8182, 1, 0, 0, fake_an), 8)
check(r3 == 2 and i3 == nil, 'OPT type in the answer section ignored')
-- Every truncation of the good reply: no error, never a code it lacks.
local bad = 0
for n = 0, #good - 1 do
  local ok, rc, inf = pcall(P.parse_ede, good:sub(1, n), 0x4242)
  if not ok or inf ~= nil then bad = bad + 1; print('  truncated at ' .. n .. ': ' .. tostring(rc)) end
end
eq(bad, 0, 'truncated replies')
-- Counts far beyond the packet, a compression pointer loop, huge option length.
check(pcall(P.parse_ede, reply(9, 0x8182, 65535, 65535, 65535, ''), 9), 'counts beyond the packet')
local loop = u16(9) .. u16(0x8182) .. u16(1) .. u16(0) .. u16(0) .. u16(0) .. '\192\012'
check(pcall(P.parse_ede, loop, 9), 'pointer question')
local long_opt = '\000' .. u16(41) .. u16(1232) .. '\000\000\128\000' .. u16(6) .. u16(15) .. u16(500) .. u16(6)
local r4, i4 = P.parse_ede(reply(10, 0x8182, 0, 0, 1, long_opt), 10)
check(r4 == 2 and i4 == nil, 'option longer than its record')
-- Random bytes never raise an error.
math.randomseed(42)
local errors = 0
for _ = 1, 2000 do
  local t = {}
  for k = 1, math.random(0, 80) do t[k] = string.char(math.random(0, 255)) end
  local s = string.char(0, 1) .. table.concat(t)
  if not pcall(P.parse_ede, s, 1) then errors = errors + 1 end
end
eq(errors, 0, 'random replies raising errors')

-- TTLs (the probe's first job): the smallest of the answer section; for
-- an answer without records min(SOA TTL, SOA MINIMUM) (RFC 2308 5); a
-- TTL with the top bit set is 0 (RFC 2181 8).
local function u32(n) return u16(math.floor(n / 65536)) .. u16(n % 65536) end
local function rr(rtype, ttl, rdata) return '\192\012' .. u16(rtype) .. u16(1) .. u32(ttl) .. u16(#rdata) .. rdata end
local txt = rr(16, 3600, '\011v=spf1 -all')
local r = P.parse_reply(reply(11, 0x8180, 1, 0, 0, txt), 11)
check(r and r.rcode == 0 and r.ttl == 3600, 'TTL of a TXT answer')
r = P.parse_reply(reply(12, 0x8180, 2, 0, 0, rr(5, 300, '\192\012') .. rr(16, 3600, '\001x')), 12)
check(r and r.ttl == 300, 'TTL of a CNAME chain is its smallest')
local soa_rdata = '\192\012\192\012' .. u32(2026112301) .. u32(7200) .. u32(3600) .. u32(1209600) .. u32(300)
r = P.parse_reply(reply(13, 0x8183, 0, 1, 0, rr(6, 3600, soa_rdata)), 13)
check(r and r.rcode == 3 and r.ttl == 300, 'NXDOMAIN: min(SOA TTL, SOA MINIMUM)')
r = P.parse_reply(reply(14, 0x8180, 0, 1, 0, rr(6, 120, soa_rdata)), 14)
check(r and r.rcode == 0 and r.ttl == 120, 'NODATA: SOA TTL below MINIMUM')
r = P.parse_reply(reply(15, 0x8180, 1, 0, 0, rr(16, 2147483648, '\001x')), 15)
check(r and r.ttl == 0, 'TTL with the top bit set is 0')
r = P.parse_reply(reply(16, 0x8182, 0, 0, 1, opt), 16)
check(r and r.ttl == nil and r.ede == 6, 'SERVFAIL: no TTL, the EDE')
r = P.parse_reply(reply(17, 0x8180, 1, 0, 0, txt):sub(1, -3), 17)
check(r and r.ttl == nil, 'truncated answer: no TTL')

-- Folding the Authentication-Results value: each result on its own line,
-- no line over 78 columns (a tab counts 8) unless one word is longer,
-- nothing changed but spaces, quoted strings never broken.
local ar = 'mx.receiver.example; spf=pass smtp.mailfrom=alice@good.example (DNSSEC secure); ' ..
  'spf=none reason="no SPF record at mx.good.example" smtp.helo=mx.good.example (DNSSEC secure); ' ..
  'dkim=pass header.d=good.example header.s=sel2026 header.a=rsa-sha256 (2048-bit key, DNSSEC secure); ' ..
  'dmarc=pass header.from=good.example policy.dmarc=reject (DNSSEC secure)'
local folded = P.fold(ar, 24, '\n')
local lines, over = {}, 0
for l in (('Authentication-Results: ' .. folded) .. '\n'):gmatch('(.-)\n') do
  lines[#lines + 1] = l
  if #(l:gsub('\t', '        ')) > 78 then over = over + 1 end
end
eq(over, 0, 'lines over 78 columns')
check(#lines >= 5, 'one line per result at least')
eq(lines[2], '\tspf=pass smtp.mailfrom=alice@good.example (DNSSEC secure);', 'a result starts a line')
eq((folded:gsub('\n\t', ' ')), ar, 'unfolding gives the value back')
check(folded:find('reason="no SPF record at mx.good.example"', 1, true) ~= nil, 'quoted string kept whole')
local long = 'x; dkim=fail header.d=' .. string.rep('a', 90) .. '.example'
eq((P.fold(long, 24, '\r\n'):gsub('\r\n\t', ' ')), long, 'a word over 78 columns stays whole')

print(string.format('%d passed, %d failed', passed, failed))
os.exit(failed == 0 and 0 or 1)
