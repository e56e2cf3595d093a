# frozen_string_literal: true

require_relative "helper"
require "fileutils"
require "tmpdir"

# examples/ruby/trigger.rb against the emulator and the fake, and where the library is loaded from.
class TestExampleAndLoader < Minitest::Test
  include TestSupport

  EXAMPLE = File.join(REPO, "examples/ruby/trigger.rb")

  def example(*args, base: EMULATOR, hook: nil)
    env = { "CLOUDFLARE_BASE_URL" => base, "CLOUDFLARE_API_TOKEN" => E_TOKEN, "CLOUDFLARE_ACCOUNT_ID" => E_ACCOUNT,
            "CLOUDFLARE_DEPLOY_HOOK" => hook, "LC_ALL" => "C" }
    ruby(EXAMPLE, *args, env: env)
  end

  def test_example_waits_with_logs
    out, err, status = example("--logs", E_OK)
    assert_equal 0, status.exitstatus, err
    assert_includes out, "status stopped\n"
    assert_includes out.b, "| #{LOG_LINE}\n".b # the test runs under LC_ALL=C: compare bytes
    out = out.force_encoding(Encoding::UTF_8)
    assert_match(/^build \h{8}-\h{4}-\h{4}-\h{4}-\h{12}: stopped, success( \(a build was already pending.*\))?$/, out)
    assert_match(/^preview https:/, out)
    refute_includes out + err, E_OK
  end

  def test_example_exit_codes
    _, _, status = example("--wait", hook: E_FAIL)
    assert_equal 20, status.exitstatus
    out, _, status = example(hook: E_OK)
    assert_equal 0, status.exitstatus
    assert_match(/^build .*: queued( \(a build was already pending.*\))?$/, out)
    _, err, status = example(UNKNOWN, base: FAKE)
    assert_equal 2, status.exitstatus
    assert_match(/\Atrigger\.rb: .*not found.*\[cf-ray \h{16}-SJC\]\n\z/, err)
    assert_equal 1, example("--bogus").last.exitstatus
    assert_equal 1, example.last.exitstatus # no hook
    assert_equal 0, example("--help").last.exitstatus
  end

  def test_library_lookup_order_and_the_error_listing_what_was_tried
    Dir.mktmpdir do |dir|
      FileUtils.cp_r(File.join(REPO, "bindings/ruby/lib"), dir) # a copy outside the checkout, like a gem
      probe = 'require "deployhook"; puts DeployHook::ABI.path'
      lib = File.join(dir, "lib")
      _, err, status = Open3.capture3({ "DEPLOYHOOK_LIBRARY" => "/nonexistent/libdeployhook.so" }, RbConfig.ruby, "-I", lib, "-e", probe)
      refute status.success?
      assert_match(/could not load its C library.*DEPLOYHOOK_LIBRARY: \/nonexistent.*bundled: .*system: libdeployhook\.so\.0/m, err)
      FileUtils.cp(File.join(REPO, ".build/release/libdeployhook.so"), File.join(lib, "deployhook"))
      FileUtils.cp(File.join(REPO, "include/deployhook.cdef"), File.join(lib, "deployhook"))
      out, err, status = Open3.capture3(RbConfig.ruby, "-I", lib, "-e", probe)
      assert status.success?, err
      assert_equal File.join(lib, "deployhook", "libdeployhook.so"), out.chomp
    end
    out, = ruby("-e", 'require "deployhook"; puts DeployHook::ABI.path', env: { "DEPLOYHOOK_LIBRARY" => File.join(REPO, "packaging/build-tree/lib/libdeployhook.so.0") })
    assert_equal File.join(REPO, "packaging/build-tree/lib/libdeployhook.so.0"), out.chomp
    out, = ruby("-e", 'require "deployhook"; puts DeployHook::ABI.path')
    assert_equal File.join(REPO, ".build/release/libdeployhook.so"), out.chomp
  end

  def test_every_function_of_the_description_is_declared
    description = JSON.parse(File.read(File.join(REPO, "include/deployhook.json")))
    names = description["functions"].map { |function| function["name"] }
    assert_equal names.sort, names.select { |name| DeployHook::ABI[name] }.sort
    assert_equal description["version"], DeployHook.library_version
    assert_equal 13, DeployHook::ABI::DEPLOYHOOK_ERR_NO_CREDENTIALS
  end

  def test_the_gem_builds_with_the_declarations_inside
    Dir.mktmpdir do |dir|
      out, err, status = Open3.capture3("bash", File.join(REPO, "bindings/ruby/build_gem.sh"), dir)
      assert status.success?, out + err
      gem = Dir[File.join(dir, "deployhook-*.gem")].first
      refute_nil gem, out
      listing, = Open3.capture3("tar", "-xOf", gem, "data.tar.gz", chdir: dir)
      files, = Open3.capture3("tar", "-tz", stdin_data: listing)
      assert_includes files.split("\n"), "lib/deployhook/deployhook.cdef"
    end
  end
end
