--[[
authscore_helpers.lua - the Rspamd plugin's pure helpers (no Rspamd API,
so tests/rspamd/test-plugin.lua runs them in Rspamd's LuaJIT directly):
PTR names, the record text of authscore_msg_answer(), the DNS query and the
bounds-checked reply parser of the plugin's probe (rcode, TTL, Extended
DNS Error), the folding of the Authentication-Results value, the check of
the plugin's configuration keys and actions (with "did you mean") and the
DMARC report settings as library options.

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

-- ---- the plugin's configuration, checked --------------------------------------
-- Every key of the `authscore { }` section (docs/rspamd.md, "Options"),
-- with the type it takes.  Anything else is refused: a typo such as
-- rule_file or authserv-id would otherwise be ignored and the plugin run
-- without that setting (fail open).  report_log and report_all are
-- checked by report_options() below.
M.SETTINGS = {
  library = 'string', rules_file = 'string', authserv_id = 'string',
  add_header = 'boolean', header_order = 'number', options = 'table',
  actions = 'table', report_log = 'any', report_all = 'any',
  bogus_probe = 'address', bogus_probe_timeout = 'number',
  ttl_probe = 'boolean', now = 'number',
}
-- The keys of its `actions { }` table (docs/rspamd.md, "Actions").
M.ACTION_KEYS = { reject = true, quarantine = true, temperror = true, config_error = true }
-- The action names task:set_pre_result() takes in Rspamd 3.4 (any other
-- raises "unknown action" at scan time, and the message passes), first
-- the canonical ones, then Rspamd's other spellings of them.
M.RSPAMD_ACTIONS = { 'reject', 'soft reject', 'rewrite subject', 'add header',
  'greylist', 'no action' }
local ACTION_ALIASES = { soft_reject = true, rewrite_subject = true, add_header = true,
  no_action = true, accept = true }
local NAME_MAX = 64 -- longer names get no "did you mean"

-- Levenshtein distance of two short strings.
function M.edit_distance(a, b)
  local prev = {}
  for j = 0, #b do prev[j] = j end
  for i = 1, #a do
    local row = { [0] = i }
    for j = 1, #b do
      local sub = prev[j - 1] + (a:byte(i) == b:byte(j) and 0 or 1)
      row[j] = math.min(sub, prev[j] + 1, row[j - 1] + 1)
    end
    prev = row
  end
  return prev[#b]
end

-- The candidate closest to `name` when it is close enough to be a typo,
-- else nil; the library's rule for its option names (module/core/
-- options.c): a prefix covering most of the name counts as one typo, and
-- at most a third of the name's letters may be wrong.
function M.nearest(name, candidates)
  local n = #name
  if n == 0 or n > NAME_MAX then return nil end
  local best, best_d
  for _, k in ipairs(candidates) do
    local d
    if #k > n and 2 * n >= #k and k:sub(1, n) == name then
      d = 1
    else
      d = M.edit_distance(name, k)
    end
    if not best_d or d < best_d then best, best_d = k, d end
  end
  if best and best_d <= math.floor((n + 2) / 3) then return best end
  return nil
end

-- A name from the configuration, fit for a log line.
local function shown(s)
  s = tostring(s)
  if #s > NAME_MAX then s = s:sub(1, NAME_MAX) .. '...' end
  return (s:gsub('[%c\127-\255]', '?'))
end

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys, function(x, y) return tostring(x) < tostring(y) end)
  return keys
end

local function did_you_mean(name, candidates)
  local near = type(name) == 'string' and M.nearest(name, candidates)
  return near and (' (did you mean ' .. near .. '?)') or ''
end

-- True for a value an `actions` key may take: an Rspamd action, or false.
function M.action_ok(v)
  if v == false then return true end
  if type(v) ~= 'string' then return false end
  if ACTION_ALIASES[v] then return true end
  for _, a in ipairs(M.RSPAMD_ACTIONS) do
    if v == a then return true end
  end
  return false
end

-- "ip:port" / "[ipv6]:port" (port 53 when left out) -> host, port; nil
-- when it is neither.
function M.parse_address(addr)
  if type(addr) ~= 'string' then return nil end
  local h, p = addr:match('^(%d+%.%d+%.%d+%.%d+):?(%d*)$')
  if not h then h, p = addr:match('^%[([%x:.]+)%]:?(%d*)$') end
  if not h then return nil end
  local port = p == '' and 53 or tonumber(p)
  if not port or port < 1 or port > 65535 then return nil end
  return h, port
end

local function type_error(k, v, want)
  if want == 'any' or v == nil then return nil end
  if want == 'number' then
    if tonumber(v) == nil then return 'must be a number' end
  elseif want == 'address' then
    if v ~= false and not M.parse_address(v) then
      return 'must be "ip:port" or false'
    end
  elseif type(v) ~= want then
    if want == 'boolean' then return 'must be true or false' end
    if want == 'table' then return 'must be a { } section' end
    return 'must be a ' .. want
  end
  return nil
end

-- The `actions { }` table: known keys, each an Rspamd action or false.
local function check_actions(actions, problems)
  local action_names = {}
  for k in pairs(M.ACTION_KEYS) do action_names[#action_names + 1] = k end
  table.sort(action_names)
  for _, a in ipairs(sorted_keys(actions)) do
    local v = actions[a]
    if not M.ACTION_KEYS[a] then
      problems[#problems + 1] = string.format('unknown key actions.%s%s', shown(a),
          did_you_mean(a, action_names))
    elseif not M.action_ok(v) then
      local hint = did_you_mean(v, M.RSPAMD_ACTIONS)
      if hint == '' then
        hint = ' (one of: ' .. table.concat(M.RSPAMD_ACTIONS, ', ') .. '; or false)'
      end
      problems[#problems + 1] = string.format('actions.%s = %s is not an Rspamd action%s',
          a, type(v) == 'string' and ('"' .. shown(v) .. '"') or shown(v), hint)
    end
  end
end

-- Check the `authscore { }` section `opts` (as Rspamd's get_all_opt()
-- gives it): every key known and of its type, every `actions` key known
-- and each of its values an Rspamd action or false.  Returns nil when
-- all is well, else every problem, in key order, joined by "; ".
function M.check_settings(opts)
  local problems, names = {}, {}
  for k in pairs(M.SETTINGS) do names[#names + 1] = k end
  table.sort(names)
  for _, k in ipairs(sorted_keys(opts)) do
    local v, want = opts[k], M.SETTINGS[k]
    if not want then
      problems[#problems + 1] = string.format('unknown option %s%s', shown(k),
          did_you_mean(k, names))
    else
      local why = type_error(k, v, want)
      if why then problems[#problems + 1] = string.format('option %s %s', k, why) end
    end
    if k == 'actions' and type(v) == 'table' then check_actions(v, problems) end
  end
  if #problems == 0 then return nil end
  return table.concat(problems, '; ')
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
