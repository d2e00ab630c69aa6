// An Emscripten JS library linked into the tag's glue only (CMake target
// relance_tag, --js-library): Embind's own bindings (bind.cpp) register, in
// every build, the JavaScript side of std::wstring, std::u16string,
// std::u32string, the typed memory views and emscripten::val. The tag's
// bindings (src/wasm/engine_bindings.cc) pass only std::string, numbers and
// void, so those registrations are made no-ops here; their code (UTF-16 and
// UTF-32 conversion, memory views, the emval handle table) then leaves the
// glue: 16,072 -> 13,370 B minified, 5,715 -> 4,862 B brotli.
//
// A tag binding that used one of these types would fail loudly (Embind's
// "unbound types" error when called), not silently: bind it in the npm
// package's build, or remove the matching entry below.
mergeInto(LibraryManager.library, {
  _embind_register_std_wstring__deps: [],
  _embind_register_std_wstring: function(rawType, charSize, name) {},
  _embind_register_memory_view__deps: [],
  _embind_register_memory_view: function(rawType, dataTypeIndex, name) {},
  _embind_register_emval__deps: [],
  _embind_register_emval: function(rawType, name) {},
});
