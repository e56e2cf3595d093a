# frozen_string_literal: true

require "fiddle"
require "fiddle/import"

module DeployHook
  # Finds and loads libdeployhook, and declares its C ABI from deployhook.cdef, read line by line as the
  # file's header says (an enum constant line is a constant, a callback typedef a pointer alias, any other
  # line that starts with a letter and ends with ");" a function). Nothing is declared by hand.
  #
  # The library, first that loads: $DEPLOYHOOK_LIBRARY; a copy bundled in this gem (lib/deployhook/);
  # the source checkout's .build/release/libdeployhook.so or packaging/build-tree/lib/libdeployhook.so.0;
  # the system's libdeployhook.so.0. The declarations: a copy bundled in this gem, else the checkout's
  # include/deployhook.cdef. When nothing loads, LoadError lists every place tried.
  module ABI
    extend Fiddle::Importer

    FILE_NAME = "libdeployhook.so"
    HERE = __dir__
    CHECKOUT = File.expand_path("../../../..", HERE) # bindings/ruby/lib/deployhook -> the repository

    class << self
      # The file the library was loaded from.
      attr_reader :path

      def candidates
        list = []
        list << ["DEPLOYHOOK_LIBRARY", ENV["DEPLOYHOOK_LIBRARY"]] unless ENV["DEPLOYHOOK_LIBRARY"].to_s.empty?
        list << ["bundled", File.join(HERE, FILE_NAME)]
        if File.exist?(File.join(CHECKOUT, "Package.swift"))
          list << ["source checkout", File.join(CHECKOUT, ".build", "release", FILE_NAME)]
          list << ["source checkout", File.join(CHECKOUT, "packaging", "build-tree", "lib", "#{FILE_NAME}.0")]
        end
        list << ["system", "#{FILE_NAME}.0"]
      end

      def declarations
        [File.join(HERE, "deployhook.cdef"), File.join(CHECKOUT, "include", "deployhook.cdef")].find { |f| File.file?(f) }
      end

      def load!
        tried = []
        candidates.each do |where, file|
          if where != "DEPLOYHOOK_LIBRARY" && where != "system" && !File.exist?(file)
            tried << "  - #{where}: #{file} (no such file)"
            next
          end
          begin
            handle = Fiddle::Handle.new(file, Fiddle::Handle::RTLD_LAZY)
          rescue Fiddle::DLError => e
            tried << "  - #{where}: #{file} (#{e.message})"
            next
          end
          declare(handle)
          @path = file
          return
        end
        raise LoadError, "deployhook could not load its C library, libdeployhook. Tried, in order:\n#{tried.join("\n")}\n" \
                         "Build it with `swift build -c release` at the repository root, or set DEPLOYHOOK_LIBRARY."
      end

      private

      def declare(handle)
        cdef = declarations or raise LoadError, "deployhook: deployhook.cdef not found (bundled or in the checkout's include/)"
        dlload handle
        File.foreach(cdef) do |line|
          case line
          when /\A\s+(\w+) = (-?\d+),?$/ then const_set(Regexp.last_match(1), Integer(Regexp.last_match(2)))
          when /\Atypedef .*\(\*(\w+)\)/ then typealias(Regexp.last_match(1), "void *")
          when /\A\w.*\);$/ then extern line
          end
        end
      end
    end

    load!
  end
end
