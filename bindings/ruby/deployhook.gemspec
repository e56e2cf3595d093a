# frozen_string_literal: true

# gem build deployhook.gemspec (bindings/ruby/build_gem.sh first copies the declarations, and optionally
# the library, into lib/deployhook/ so that the gem carries them).
Gem::Specification.new do |spec|
  spec.name = "deployhook"
  spec.version = File.read(File.expand_path("../../VERSION", __dir__)).strip rescue "0.0.0" # rubocop:disable Style/RescueModifier
  spec.summary = "Trigger Cloudflare Workers Builds deploy hooks through libdeployhook (Fiddle)"
  spec.description = "A thin Fiddle binding of libdeployhook's C ABI: trigger deploy hooks, follow and cancel builds."
  spec.authors = ["deployhook maintainers"]
  spec.required_ruby_version = ">= 3.0"
  spec.files = Dir.glob("lib/**/*", base: __dir__).select { |f| File.file?(File.join(__dir__, f)) } + ["README.md"]
  spec.require_paths = ["lib"]
end
