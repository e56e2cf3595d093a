# frozen_string_literal: true

# Trigger Cloudflare Workers Builds deploy hooks, follow and cancel the builds they start: a thin Fiddle
# binding of libdeployhook's C ABI (include/deployhook.h). See bindings/ruby/README.md.
#
#   build = DeployHook.trigger(ENV.fetch("CLOUDFLARE_DEPLOY_HOOK"))
#   client = DeployHook::Client.new(api_token: ENV["CLOUDFLARE_API_TOKEN"], account_id: "...")
#   final = client.wait(build) { |event| puts event.text if event.type == :log }
module DeployHook
end

require_relative "deployhook/library"
require_relative "deployhook/errors"
require_relative "deployhook/client"
