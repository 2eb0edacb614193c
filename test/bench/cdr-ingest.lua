-- wrk script for test/bench/cdr-ingest.sh: POSTs a real mod_xml_cdr
-- document (encode=true, the vanilla default: cdr= + URL-encoded XML) with a
-- unique leg uuid per request, as FreeSWITCH would. The body template and
-- the Authorization header come from files (never from the command line).
--   CDR_BENCH_DIR: holds body.tmpl (uuid as @UUID@) and fs.hdr
local dir = os.getenv("CDR_BENCH_DIR")
local parts = {}
local counter = 0
local nthreads = 0
-- CDR_BENCH_PHASE keeps uuids of successive runs apart; CDR_BENCH_PACE_MS
-- makes each connection wait between requests (an offered rate below
-- saturation, to measure lag rather than capacity)
phase = tonumber(os.getenv("CDR_BENCH_PHASE") or "0")
local pace = tonumber(os.getenv("CDR_BENCH_PACE_MS") or "0")
if pace > 0 then
  function delay() return pace end
end

local function read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end

-- runs in the main state; thread:set makes a GLOBAL in the thread's state
function setup(thread)
  nthreads = nthreads + 1
  thread:set("thread_id", nthreads)
end

function init(args)
  local tmpl = read(dir .. "/body.tmpl")
  local start = 1
  while true do
    local i, j = string.find(tmpl, "@UUID@", start, true)
    if not i then break end
    table.insert(parts, string.sub(tmpl, start, i - 1))
    start = j + 1
  end
  table.insert(parts, string.sub(tmpl, start))
  local hdr = read(dir .. "/fs.hdr"):gsub("[\r\n]+$", "")
  local name, value = hdr:match("^([^:]+):%s*(.*)$")
  wrk.headers[name] = value
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["User-Agent"] = "freeswitch-xml/1.0"
  wrk.method = "POST"
  wrk.path = "/fs/cdr"
end

function request()
  counter = counter + 1
  local uuid = string.format("%08x-%04x-4000-8%03x-%012x", thread_id,
                             math.floor(counter / 0x1000000000000) % 0x10000, phase, counter % 0x1000000000000)
  return wrk.format(nil, nil, nil, table.concat(parts, uuid))
end

local non200 = 0
function response(status, headers, body)
  if status ~= 200 then non200 = non200 + 1 end
end

function done(summary, latency, requests)
  io.write(string.format("wrk_requests %d\nwrk_non2xx_or_errors %d\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout))
  io.write(string.format("wrk_latency_p50_ms %.2f\nwrk_latency_p99_ms %.2f\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
