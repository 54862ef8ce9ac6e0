-- POST /postback with a unique transaction id per request: wrk ... -s load-tests/postback.lua URL -- TOKEN RUN
dofile("load-tests/report.lua")

local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

init = function(args)
  token = args[1]
  -- The start second keeps the warm-up's transaction ids apart from the measured run's.
  run = args[2] .. "-" .. os.time()
  counter = 0
end

request = function()
  counter = counter + 1
  local body = "transaction_id=bench-" .. run .. "-" .. tid .. "-" .. counter .. "&amount=49.90&customer_id=c-" .. counter
  return wrk.format("POST", "/postback", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Postback-Token"] = token }, body)
end
