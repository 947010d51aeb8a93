-- wrk script: requests for random codes with browser-like user agents and
-- referrers, as people arriving from apps and sites would send them.
-- The codes come from the file named by the CODES environment variable.

local codes = {}
local agents = {
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/450.0.0.38.108;FBBV/592116813;FBDV/iPhone14,5;FBMD/iPhone;FBSN/iOS;FBSV/16.6;FBSS/3;FBID/phone;FBLC/en_US;FBOP/5]",
  "Mozilla/5.0 (Linux; Android 13; SM-S911B Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/123.0.6312.118 Mobile Safari/537.36 Instagram 328.0.0.42.90 Android (33/13; 480dpi; 1080x2340; samsung; SM-S911B; dm1q; qcom; en_GB; 588119523)",
  "WhatsApp/2.23.20.0 A",
}
local referrers = {
  "", "", "", "https://www.google.com/", "https://l.facebook.com/",
  "android-app://com.google.android.gm/", "https://t.co/", "https://www.linkedin.com/",
}

function init(args)
  local file = io.open(os.getenv("CODES") or "codes.txt", "r")
  for line in file:lines() do
    codes[#codes + 1] = line
  end
  file:close()
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

function request()
  local headers = { ["User-Agent"] = agents[math.random(#agents)] }
  local referrer = referrers[math.random(#referrers)]
  if referrer ~= "" then
    headers["Referer"] = referrer
  end
  return wrk.format("GET", "/" .. codes[math.random(#codes)], headers)
end

function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d seconds=%.3f p50_us=%d p99_us=%d errors=%d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
end
