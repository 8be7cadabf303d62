-- wrk script for bench_webhook.py: signed WeChat text messages, one unique MsgId per request.
--
-- wrk ... -s checkin.lua URL -- MODE RUN_PREFIX MEMBERS CONTENT THREADS   (env BENCH_QUERIES_FILE)
--   MODE        "checkin" (the real webhook), "bare" (bare_app.py's fixed reply) or "echo"
--               (werobot_app.py: the reply must carry the MsgId's gh_ id and the content back)
--   RUN_PREFIX  digits that make this run's MsgIds unique within the benchmark
--   MEMBERS     openids are o_bench_00000 .. o_bench_<MEMBERS-1> (all bound members)
--   CONTENT     the text message with one %s, replaced by the MsgId so that every check-in names
--               its own material, e.g. 学习打卡 今天学习了《政协理论第%s讲》30分钟
--   THREADS     wrk's thread count: thread N uses lines N+1, N+1+THREADS, ... of BENCH_QUERIES_FILE
--   BENCH_QUERIES_FILE  lines "signature=..&timestamp=..&nonce=.." signed by bench_webhook.py just
--               before the run, one per request: the webhook refuses a (timestamp, nonce) pair
--               that comes back with another body, as a replayed WeChat signature would
-- The body's ToUserName is "gh_<MsgId>": the reply echoes it as FromUserName, so each
-- check-in reply tells which message it answers. done() prints one line
-- "BENCH_JSON {...}" and, if BENCH_IDS_FILE is set, writes the MsgIds answered with a check-in.

local threads = {}

function setup(thread)
   thread:set("tid", #threads)
   table.insert(threads, thread)
end

function init(args)
   mode, prefix, members, content = args[1], args[2], tonumber(args[3]), args[4]
   local nthreads = tonumber(args[5])
   queries = {}
   local n = 0
   for line in io.lines(os.getenv("BENCH_QUERIES_FILE")) do
      if n % nthreads == (tid or 0) then queries[#queries + 1] = line end
      n = n + 1
   end
   sent, received, ok, bad_status, unexpected = 0, 0, 0, 0, 0
   ok_ids = {}
   wrk.headers["Content-Type"] = "text/xml"
end

local function cdata(value)
   return "<![CDATA[" .. value .. "]]>"
end

function request()
   sent = sent + 1
   local msg_id = prefix .. string.format("%02d%09d", tid, sent)
   local openid = string.format("o_bench_%05d", (sent * 7 + tid * 101) % members)
   local body = "<xml><ToUserName>" .. cdata("gh_" .. msg_id) .. "</ToUserName>"
      .. "<FromUserName>" .. cdata(openid) .. "</FromUserName>"
      .. "<CreateTime>" .. os.time() .. "</CreateTime><MsgType>" .. cdata("text") .. "</MsgType>"
      .. "<Content>" .. cdata(string.format(content, msg_id)) .. "</Content><MsgId>" .. msg_id .. "</MsgId></xml>"
   local path = "/wechat?" .. queries[(sent - 1) % #queries + 1] .. "&openid=" .. openid
   return wrk.format("POST", path, nil, body)
end

function response(status, headers, body)
   received = received + 1
   if status < 200 or status > 299 then
      bad_status = bad_status + 1
      sample = sample or (status .. " " .. body)
      return
   end
   if mode == "bare" then
      if string.find(body, "bare-ok", 1, true) then ok = ok + 1 return end
   elseif mode == "echo" then
      if string.find(body, "<FromUserName><![CDATA[gh_", 1, true)
         and string.find(body, "<Content><![CDATA[学习打卡 ", 1, true) then ok = ok + 1 return end
   else
      local id = string.match(body, "<FromUserName><!%[CDATA%[gh_(%d+)%]%]></FromUserName>")
      if id and string.find(body, "学习打卡成功", 1, true) then
         ok = ok + 1
         ok_ids[#ok_ids + 1] = id
         return
      end
   end
   unexpected = unexpected + 1
   sample = sample or body
end

local function json_string(value)
   return '"' .. string.gsub(value, '[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end) .. '"'
end

function done(summary, latency, requests)
   local totals = { sent = 0, received = 0, ok = 0, bad_status = 0, unexpected = 0 }
   local sample_body = nil
   local ids_file = os.getenv("BENCH_IDS_FILE")
   local out = ids_file and io.open(ids_file, "w")
   for _, thread in ipairs(threads) do
      for key in pairs(totals) do totals[key] = totals[key] + thread:get(key) end
      sample_body = sample_body or thread:get("sample")
      if out then
         for _, id in ipairs(thread:get("ok_ids")) do out:write(id, "\n") end
      end
   end
   if out then out:close() end
   -- wrk calls request() once on the first thread to check the script; that one is never sent
   totals.sent = totals.sent - 1
   local e = summary.errors
   local fields = {
      string.format('"requests": %d', summary.requests),
      string.format('"duration_us": %d', summary.duration),
      string.format('"rps": %.1f', summary.requests / (summary.duration / 1e6)),
      string.format('"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}',
         e.connect, e.read, e.write, e.status, e.timeout),
      string.format('"latency_ms": {"mean": %.2f, "max": %.2f, "p50": %.2f, "p90": %.2f, "p99": %.2f}',
         latency.mean / 1000, latency.max / 1000, latency:percentile(50) / 1000,
         latency:percentile(90) / 1000, latency:percentile(99) / 1000),
   }
   for key, value in pairs(totals) do fields[#fields + 1] = string.format('"%s": %d', key, value) end
   if sample_body then fields[#fields + 1] = '"sample": ' .. json_string(string.sub(sample_body, 1, 300)) end
   io.write("BENCH_JSON {" .. table.concat(fields, ", ") .. "}\n")
end
