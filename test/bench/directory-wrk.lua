-- wrk script: mod_xml_curl directory lookups (sip_auth REGISTER) for random
-- users, with the body FreeSWITCH sends. Environment (no secrets):
--   BENCH_FORM    file with the form body, USER where the user goes
--   BENCH_HEADER  file with the Authorization header line
--   BENCH_USERS   "first:last" user range
--   BENCH_DELAY   per-request delay in ms (paced runs), 0 = flat out
local form = io.open(os.getenv("BENCH_FORM")):read("*a")
local hdr = io.open(os.getenv("BENCH_HEADER")):read("*l")
local first, last = string.match(os.getenv("BENCH_USERS") or "1000:1000", "(%d+):(%d+)")
local pause = tonumber(os.getenv("BENCH_DELAY") or "0")
first, last = tonumber(first), tonumber(last)

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["User-Agent"] = "freeswitch-xml/1.0"
local name, value = string.match(hdr, "^([^:]+):%s*(.*)$")
if name then wrk.headers[name] = value end

function setup(thread)
	thread:set("seed", math.random(1, 1000000))
end

function init(args)
	math.randomseed(seed or os.time())
end

function request()
	local u = tostring(math.random(first, last))
	return wrk.format(nil, nil, nil, (string.gsub(form, "USER", u)))
end

if pause > 0 then
	function delay()
		return pause
	end
end
