--[[
authscore_helpers.lua - the Rspamd plugin's pure helpers (no Rspamd API,
so tests/rspamd/test-plugin.lua runs them in Rspamd's LuaJIT directly):
PTR names, the record text of authscore_msg_answer(), the DNS query and the
bounds-checked reply parser of the plugin's probe (rcode, TTL, Extended
DNS Error), the folding of the Authentication-Results value and the DMARC
report settings as library options.

Our own small DNS reader instead of a library: Rspamd's Lua API has no
packet parser, and its resolver reports neither TTLs nor EDE (RFC 8914).
authscore.lua loads this file from its own directory.
]]

local bit = require "bit"

local M = {}

-- RFC 8914 Extended DNS Error info-codes that say DNSSEC validation
-- failed (a validator's SERVFAIL for bogus data carries one of them).
M.EDE_BOGUS = {
  [6] = 'DNSSEC Bogus', [7] = 'Signature Expired',
  [8] = 'Signature Not Yet Valid', [9] = 'DNSKEY Missing',
  [10] = 'RRSIGs Missing', [11] = 'No Zone Key Bit Set', [12] = 'NSEC Missing',
}
local EDE_OPTION = 15 -- RFC 8914 section 2
local OPT_TYPE = 41   -- RFC 6891 section 6.1.1
local SOA_TYPE = 6
local MAX_NAME_LABELS = 128 -- a 255-byte name has at most 127 labels
-- RFC 2181 section 8: a TTL is 31 bits; larger values mean zero.
local TTL_MAX = 2147483647

-- "4.3.2.1.in-addr.arpa" / ip6.arpa nibbles -> the address text that
-- Rspamd's resolve_ptr wants (it builds the reverse name itself).
function M.ptr_to_ip(qname)
  local name = qname:lower():gsub('%.$', '')
  local v4 = name:match('^(.-)%.in%-addr%.arpa$')
  if v4 then
    local o = {}
    for part in v4:gmatch('[^.]+') do table.insert(o, 1, part) end
    if #o == 4 then return table.concat(o, '.') end
    return nil
  end
  local v6 = name:match('^(.-)%.ip6%.arpa$')
  if v6 then
    local n = {}
    for part in v6:gmatch('[^.]+') do
      if not part:match('^%x$') then return nil end
      table.insert(n, 1, part)
    end
    if #n ~= 32 then return nil end
    local groups = {}
    for g = 0, 7 do
      groups[#groups + 1] = table.concat(n, '', g * 4 + 1, g * 4 + 4)
    end
    return table.concat(groups, ':')
  end
  return nil
end

-- Rspamd's reply entries -> the text forms of authscore_msg_answer().
function M.record_text(qtype, r)
  if qtype == 15 then
    if type(r) ~= 'table' or not r.name then return nil end
    return string.format('%d %s', tonumber(r.priority) or 0, r.name)
  end
  -- A/AAAA come as rspamd{ip}; TXT (strings joined by rdns) and PTR as text.
  return tostring(r)
end

local function u16(s, i)
  return s:byte(i) * 256 + s:byte(i + 1)
end

local function u32(s, i)
  return ((s:byte(i) * 256 + s:byte(i + 1)) * 256 + s:byte(i + 2)) * 256 + s:byte(i + 3)
end

-- A query for qname/qtype with RD, and an OPT record with DO (so the
-- resolver validates and answers with EDNS, where EDE lives).
function M.build_query(qid, qname, qtype)
  local parts = {
    string.char(bit.rshift(qid, 8), bit.band(qid, 255), 0x01, 0x00,
        0, 1, 0, 0, 0, 0, 0, 1),
  }
  local total = 1
  for label in qname:gsub('%.$', ''):gmatch('[^.]+') do
    if #label > 63 then return nil end -- RFC 1035 2.3.4
    total = total + #label + 1
    parts[#parts + 1] = string.char(#label) .. label
  end
  if total > 255 then return nil end
  parts[#parts + 1] = string.char(0, bit.rshift(qtype, 8), bit.band(qtype, 255), 0, 1)
  parts[#parts + 1] = string.char(0, 0, OPT_TYPE, 0x04, 0xd0, 0, 0, 0x80, 0, 0, 0)
  return table.concat(parts)
end

-- Position after the (possibly compressed) name at i, or nil.
local function skip_name(s, i)
  for _ = 1, MAX_NAME_LABELS do
    if i > #s then return nil end
    local len = s:byte(i)
    if len == 0 then return i + 1 end
    if len >= 0xc0 then
      if i + 1 > #s then return nil end
      return i + 2
    end
    if len > 63 then return nil end
    i = i + 1 + len
  end
  return nil
end

local function ttl_of(v)
  if v > TTL_MAX then return 0 end
  return v
end

-- The response `s` to query `qid`, as far as it is well formed:
-- { rcode, ttl, ede, ede_text }.  ttl: the smallest TTL of the answer
-- section; for an answer without records, min(SOA TTL, SOA MINIMUM) of
-- the authority section (RFC 2308 section 5); nil when the reply has
-- neither.  nil when `s` is not a response to `qid`.  Every read is
-- bounds-checked; a damaged record ends the walk with what was read.
function M.parse_reply(s, qid)
  if #s < 12 or u16(s, 1) ~= qid or bit.band(s:byte(3), 0x80) == 0 then
    return nil
  end
  local r = { rcode = bit.band(s:byte(4), 0x0f) }
  local qd, an, ns, ar = u16(s, 5), u16(s, 7), u16(s, 9), u16(s, 11)
  local i = 13
  for _ = 1, qd do
    i = skip_name(s, i)
    if not i then return r end
    i = i + 4
  end
  local answer_ttl, soa_ttl
  -- Each record takes at least 11 bytes: the loop ends with the packet.
  for k = 1, an + ns + ar do
    i = skip_name(s, i)
    if not i or i + 9 > #s then break end
    local rtype, rdlen = u16(s, i), u16(s, i + 8)
    local ttl = ttl_of(u32(s, i + 4))
    local rd = i + 10
    if rd + rdlen - 1 > #s then break end
    if k <= an then
      if rtype ~= OPT_TYPE then answer_ttl = math.min(answer_ttl or ttl, ttl) end
    elseif k <= an + ns then
      -- SOA rdata: two names, then five 32-bit fields; MINIMUM is last.
      if rtype == SOA_TYPE and rdlen >= 22 then
        soa_ttl = math.min(soa_ttl or ttl, ttl, ttl_of(u32(s, rd + rdlen - 4)))
      end
    elseif rtype == OPT_TYPE then
      local j, stop = rd, rd + rdlen
      while j + 3 < stop do
        local code, olen = u16(s, j), u16(s, j + 2)
        if j + 4 + olen > stop then break end
        if code == EDE_OPTION and olen >= 2 then
          r.ede, r.ede_text = u16(s, j + 4), s:sub(j + 6, j + 3 + olen)
          break
        end
        j = j + 4 + olen
      end
    end
    i = rd + rdlen
  end
  if an > 0 then r.ttl = answer_ttl else r.ttl = soa_ttl end
  return r
end

-- rcode, EDE info-code, EDE text (the probe's first use, kept for tests).
function M.parse_ede(s, qid)
  local r = M.parse_reply(s, qid)
  if not r then return nil end
  return r.rcode, r.ede, r.ede_text
end

-- Fold an Authentication-Results value so that no line passes `max`
-- columns (RFC 5322 2.1.1: 78) where it can be helped: each result after
-- a ';' starts a line, a longer result breaks at its spaces, never inside
-- a quoted-string.  `first_col`: where the value starts on the first
-- line ("Authentication-Results: " is 24); `nl`: the newline to use.  A
-- continuation line starts with a tab, counted as 8 columns.  The same
-- rule as the Exim host's (module/host/exim/exim_fold.c).
function M.fold(value, first_col, nl, max)
  max = max or 78
  local words, i, n = {}, 1, #value
  while i <= n do
    if value:sub(i, i) == ' ' then
      i = i + 1
    else
      local j, quoted = i, false
      while j <= n do
        local c = value:sub(j, j)
        if quoted and c == '\\' and j < n then
          j = j + 1
        elseif c == '"' then
          quoted = not quoted
        elseif c == ' ' and not quoted then
          break
        end
        j = j + 1
      end
      words[#words + 1] = value:sub(i, j - 1)
      i = j
    end
  end
  local out, col, break_before = {}, first_col, false
  for k, w in ipairs(words) do
    if k > 1 and (break_before or col + 1 + #w > max) then
      out[#out + 1] = nl .. '\t'
      col = 8
    elseif k > 1 then
      out[#out + 1] = ' '
      col = col + 1
    end
    out[#out + 1] = w
    col = col + #w
    break_before = w:sub(-1) == ';'
  end
  return table.concat(out)
end

-- The plugin's DMARC report settings (docs/dmarc-reports.md) as library
-- options, in order: report_log (a file, or a directory ending in '/')
-- gives report.log; report_all (true/false) gives report.all.  Anything
-- else is refused with a reason, so a typo fails the configuration.
function M.report_options(s)
  local set = {}
  if s.report_log ~= nil then
    if type(s.report_log) ~= 'string' or s.report_log == '' then
      return nil, 'report_log must be a file or directory name'
    end
    set[#set + 1] = { 'report.log', s.report_log }
  end
  if s.report_all ~= nil then
    if type(s.report_all) ~= 'boolean' then
      return nil, 'report_all must be true or false'
    end
    set[#set + 1] = { 'report.all', s.report_all and 'yes' or 'no' }
  end
  return set
end

return M
