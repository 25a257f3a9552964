-- A real client for `vex lsp`: headless Neovim's built-in LSP client opens a file,
-- receives its diagnostics, hovers, jumps to a definition in another file and formats
-- the buffer, as an editor user would. Driven by tests/neovim.rs, which makes the
-- workspace and reads the results; this script must not decide what the fixture is
-- beyond the words it looks for (`double`, `"no"`).
--
-- Run as `nvim --headless --clean -c "luafile tests/nvim/lsp.lua"` (Neovim 0.7 has no
-- `-l`) with these variables:
--   VEX_NVIM_SERVER      the `vex` binary, started as `vex lsp`
--   VEX_NVIM_ROOT        the workspace folder (every `.vx` file under it is one program)
--   VEX_NVIM_FILE        the file to open: it calls `double`, has a type error on the line
--                        with `"no"` and is badly formatted
--   VEX_NVIM_DEFINITION  the file that defines `fn double`
--   VEX_NVIM_FORMATTED   a file holding VEX_NVIM_FILE's text in the canonical layout
--   VEX_NVIM_RESULTS     where to write one line per step: `ok STEP` or `FAIL STEP: why`
--   VEX_NVIM_TIMEOUT_MS  the bound of every single wait (default 20000)
--
-- Every wait is bounded, and the script always quits: `:qa!` when every step passed,
-- `:cquit` (status 1) otherwise, also when the script itself raises an error. The API
-- differences between Neovim versions (0.7 in Debian bookworm; `vim.lsp.start`,
-- `vim.lsp.buf.format` and `show_document` later) are bridged where they are used.

local env = vim.env
local uv = vim.uv or vim.loop
local timeout = tonumber(env.VEX_NVIM_TIMEOUT_MS) or 20000
local results = assert(io.open(assert(env.VEX_NVIM_RESULTS, "VEX_NVIM_RESULTS unset"), "w"))

local function report(line)
  results:write(line, "\n")
  results:flush()
end

-- Raised by `fail` to end the run at the first failing step: later steps depend on it.
local Failure = {}

local function fail(step, why)
  report("FAIL " .. step .. ": " .. why)
  error(Failure)
end

local function read_file(path)
  local file = assert(io.open(path, "rb"))
  local text = file:read("*a")
  file:close()
  return text
end

local function buffer_text(buf)
  return table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), "\n") .. "\n"
end

-- The 0-based line and column of the first `needle` (plain text) in `buf`.
local function find(buf, needle)
  for index, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local column = line:find(needle, 1, true)
    if column then
      return index - 1, column - 1
    end
  end
  return nil
end

local function same_file(a, b)
  return (uv.fs_realpath(a) or a) == (uv.fs_realpath(b) or b)
end

local client_id
local server_exit

local function client()
  return vim.lsp.get_client_by_id(client_id)
end

-- A request answered within the bound: its result, or a failure of `step`. A request
-- that raced a change (`ContentModified`) is asked again, as the protocol says.
local function request(step, buf, method, params)
  local deadline = uv.now() + timeout
  while true do
    local left = deadline - uv.now()
    if left <= 0 then
      fail(step, method .. " got no answer within " .. timeout .. " ms")
    end
    local answers, err = vim.lsp.buf_request_sync(buf, method, params, left)
    if not answers then
      fail(step, method .. ": " .. tostring(err))
    end
    local answer = answers[client_id]
    if not answer then
      fail(step, method .. ": no answer from the vex client: " .. vim.inspect(answers))
    end
    local problem = answer.err or answer.error
    if not problem then
      return answer.result
    end
    if problem.code ~= -32801 then
      fail(step, method .. " failed: " .. vim.inspect(problem))
    end
  end
end

local function attach(buf)
  local config = {
    name = "vex",
    cmd = { assert(env.VEX_NVIM_SERVER, "VEX_NVIM_SERVER unset"), "lsp" },
    root_dir = env.VEX_NVIM_ROOT,
    on_exit = function(code, signal)
      server_exit = ("status %s, signal %s"):format(tostring(code), tostring(signal))
    end,
  }
  if vim.lsp.start then
    client_id = vim.lsp.start(config, { bufnr = buf })
  else
    client_id = vim.lsp.start_client(config)
    if client_id and not vim.lsp.buf_attach_client(buf, client_id) then
      fail("attach", "buf_attach_client refused the buffer")
    end
  end
  if not client_id then
    fail("attach", "the client did not start")
  end
  local ready = vim.wait(timeout, function()
    local c = client()
    return server_exit ~= nil or (c ~= nil and c.initialized and c.server_capabilities ~= nil)
  end, 20)
  if server_exit then
    fail("attach", "vex lsp exited: " .. server_exit)
  end
  if not ready then
    fail("attach", "no answer to initialize within " .. timeout .. " ms")
  end
  if not client().server_capabilities.documentFormattingProvider then
    fail("attach", "no formatting capability: " .. vim.inspect(client().server_capabilities))
  end
  report("ok attach")
end

local function diagnostics(buf)
  local line, column = find(buf, '"no"')
  if not line then
    fail("diagnostics", 'no `"no"` in the file')
  end
  local function expected()
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      if d.message:find("expected `i32`, found `string`", 1, true) then
        return d
      end
    end
  end
  if not vim.wait(timeout, function() return expected() ~= nil end, 20) then
    fail("diagnostics", "none expected within " .. timeout .. " ms; got "
      .. vim.inspect(vim.diagnostic.get(buf)))
  end
  local d = expected()
  if d.severity ~= vim.diagnostic.severity.ERROR or d.lnum ~= line or d.col ~= column
      or d.end_col ~= column + 4 then
    fail("diagnostics", ("an error at %d:%d-%d was expected, got %s"):format(
      line, column, column + 4, vim.inspect(d)))
  end
  report("ok diagnostics")
end

-- Puts the cursor on the call of `double` and returns the position parameters there.
local function at_call(buf)
  local line, column = find(buf, "double(")
  if not line then
    fail("hover", "no call of `double` in the file")
  end
  vim.api.nvim_set_current_buf(buf)
  vim.api.nvim_win_set_cursor(0, { line + 1, column + 2 })
  return vim.lsp.util.make_position_params(0, client().offset_encoding)
end

local function hover(buf)
  local result = request("hover", buf, "textDocument/hover", at_call(buf))
  local contents = result and result.contents
  local text = type(contents) == "table" and (contents.value or vim.inspect(contents))
    or tostring(contents)
  if not text:find("fn double(n: i64): i64", 1, true) then
    fail("hover", "the signature of `double` was expected, got " .. vim.inspect(result))
  end
  report("ok hover")
end

local function definition(buf)
  local result = request("definition", buf, "textDocument/definition", at_call(buf))
  local location = result
  if type(result) == "table" and result[1] then
    location = result[1]
  end
  if type(location) ~= "table" or not (location.uri or location.targetUri) then
    fail("definition", "one location was expected, got " .. vim.inspect(result))
  end
  local encoding = client().offset_encoding
  if vim.lsp.util.show_document then
    vim.lsp.util.show_document(location, encoding, { focus = true })
  else
    vim.lsp.util.jump_to_location(location, encoding)
  end
  local target = env.VEX_NVIM_DEFINITION
  local name = vim.api.nvim_buf_get_name(0)
  if not same_file(name, target) then
    fail("definition", ("the jump went to %q, not %q"):format(name, target))
  end
  local line, column = find(0, "fn double")
  local cursor = vim.api.nvim_win_get_cursor(0)
  if not line or cursor[1] ~= line + 1 or cursor[2] ~= column + 3 then
    fail("definition", ("the cursor is at %d:%d, not on `double` at %s:%s"):format(
      cursor[1], cursor[2], tostring(line and line + 1), tostring(column and column + 3)))
  end
  report("ok definition")
end

local function formatting(buf)
  vim.api.nvim_set_current_buf(buf)
  if vim.lsp.buf.format then
    vim.lsp.buf.format({ bufnr = buf, async = false, timeout_ms = timeout })
  else
    vim.lsp.buf.formatting_sync(nil, timeout)
  end
  local expected = read_file(env.VEX_NVIM_FORMATTED)
  local actual = buffer_text(buf)
  if actual ~= expected then
    fail("formatting", ("the buffer reads %s, not %s"):format(
      vim.inspect(actual), vim.inspect(expected)))
  end
  report("ok formatting")
end

local function run()
  vim.cmd("edit " .. vim.fn.fnameescape((assert(env.VEX_NVIM_FILE, "VEX_NVIM_FILE unset"))))
  local buf = vim.api.nvim_get_current_buf()
  attach(buf)
  diagnostics(buf)
  hover(buf)
  definition(buf)
  formatting(buf)
end

local ok, err = xpcall(run, function(e)
  if e == Failure then
    return e
  end
  return debug.traceback(tostring(e), 2)
end)
if not ok and err ~= Failure then
  report("FAIL script: " .. tostring(err))
end
results:close()
if ok then
  vim.cmd("qa!")
else
  vim.cmd("cquit")
end
