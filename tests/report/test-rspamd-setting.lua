--[[ test-rspamd-setting.lua - the Rspamd plugin's DMARC report settings
(docs/dmarc-reports.md): the page's local.d snippet, read by Rspamd's own
UCL parser, becomes the library option report.log; report_all becomes
report.all; a wrong type is refused with a reason (the plugin then fails
its configuration, as for any bad option).
usage: rspamadm lua -a HELPERS.lua -a SNIPPET-FILE test-rspamd-setting.lua
Prints "N passed, N failed"; exits 1 on a failure. ]]
local helpers, snippet_file = arg[1], arg[2]
if not helpers or not snippet_file then
  print('usage: rspamadm lua -a authscore_helpers.lua -a SNIPPET test-rspamd-setting.lua')
  os.exit(2)
end
local H = dofile(helpers)
local ucl = require "ucl"

local passed, failed = 0, 0
local function check(cond, what)
  if cond then passed = passed + 1 else failed = failed + 1; print('FAIL: ' .. what) end
end

local f = assert(io.open(snippet_file, 'r'))
local text = f:read('*a')
f:close()
local parser = ucl.parser()
local ok, err = parser:parse_string(text)
check(ok, 'the snippet parses as UCL: ' .. tostring(err))
local settings = parser:get_object() or {}
check(type(settings.report_log) == 'string', 'report_log is a string')

local set, why = H.report_options(settings)
check(set and #set == 1, 'one option from the snippet: ' .. tostring(why))
check(set and set[1][1] == 'report.log' and set[1][2] == settings.report_log,
  'report_log gives report.log')

set = H.report_options({ report_log = '/var/log/authscore/dmarc.jsonl', report_all = true })
check(set and #set == 2 and set[2][1] == 'report.all' and set[2][2] == 'yes',
  'report_all = true gives report.all=yes')
set = H.report_options({ report_all = false })
check(set and #set == 1 and set[1][2] == 'no', 'report_all = false gives report.all=no')
check(#H.report_options({}) == 0, 'nothing set: no option')

local bad, reason = H.report_options({ report_all = 'yes' })
check(bad == nil and reason:find('report_all'), 'a string for report_all is refused')
bad, reason = H.report_options({ report_log = 5 })
check(bad == nil and reason:find('report_log'), 'a number for report_log is refused')
bad = H.report_options({ report_log = '' })
check(bad == nil, 'an empty report_log is refused')

print(string.format('%d passed, %d failed', passed, failed))
if failed > 0 then os.exit(1) end
