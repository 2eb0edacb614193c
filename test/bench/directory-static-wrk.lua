-- wrk script for the static-file reference: same pacing as directory-wrk.lua
local pause = tonumber(os.getenv("BENCH_DELAY") or "0")
if pause > 0 then
	function delay()
		return pause
	end
end
