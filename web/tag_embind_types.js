// An Emscripten JS library linked into the tag's glue only (CMake target
// relance_tag, --js-library): it replaces parts of Embind's JavaScript side
// (emscripten 3.1.6, src/embind/embind.js) by what the tag's bindings
// (src/wasm/engine_bindings.cc) need: free functions, not overloaded, whose
// arguments and results are std::string, int, double or void. Measured in
// docs/design/performance.md ("Tag JS").
//
// Embind's bind.cpp registers, in every build, std::wstring, std::u16string,
// std::u32string, the typed memory views, emscripten::val and the 64-bit
// integers; the tag binds none of them. Those registrations are empty in the
// tag's wasm (src/wasm/tag_embind_builtins.cc), so the glue never imports
// them, and their code (UTF-16 and UTF-32 conversion, memory views, the emval
// handle table) is not in it. bool is left out here, below.
//
// A tag binding that used one of these types would fail loudly (Embind's
// "unbound types" error when called), not silently: bind it in the npm
// package's build, or remove the matching entry.
mergeInto(LibraryManager.library, {
  _embind_register_bool__deps: [],
  _embind_register_bool: function(rawType, name, size, trueValue, falseValue) {},

  // Numbers as function arguments and results only: Embind's versions also
  // give each type a readValueFromPointer (per size and signedness), which
  // only value objects, class properties and emscripten::val read, none of
  // which the tag binds. The conversions are Embind's own.
  _embind_register_integer__deps: ['$readLatin1String', '$registerType'],
  _embind_register_integer: function(rawType, name, size, minRange, maxRange) {
    name = readLatin1String(name);
    var bitshift = 32 - 8 * size;
    registerType(rawType, {
      name: name,
      'fromWireType': minRange === 0 ? function(value) { return value << bitshift >>> bitshift; } : function(value) { return value; },
      'toWireType': name.includes('unsigned') ? function(destructors, value) { return value >>> 0; } : function(destructors, value) { return value; },
      'argPackAdvance': 8,
    });
  },
  _embind_register_float__deps: ['$readLatin1String', '$registerType'],
  _embind_register_float: function(rawType, name, size) {
    registerType(rawType, {
      name: readLatin1String(name),
      'fromWireType': function(value) { return value; },
      'toWireType': function(destructors, value) { return value; },
      'argPackAdvance': 8,
    });
  },
  // Free functions only, each bound once (no classes, no overloads by
  // argument count): what Embind does for those, without its class and
  // overload paths. A class method or an overload bound in the tag fails
  // loudly at start (a BindingError), not silently.
  $craftInvokerFunction__deps: ['$runDestructors', '$throwBindingError'],
  $craftInvokerFunction: function(humanName, argTypes, classType, cppInvokerFunc, cppTargetFunc) {
    if (argTypes[1] !== null) throwBindingError('the tag binds free functions only: ' + humanName);
    var expectedArgCount = argTypes.length - 2;
    return function() {
      if (arguments.length !== expectedArgCount) {
        throwBindingError('function ' + humanName + ' called with ' + arguments.length + ' arguments, expected ' + expectedArgCount + ' args!');
      }
      // Each argument's toWireType pushes its own destructor (std::string: _free).
      var destructors = [];
      var args = [cppTargetFunc];
      for (var i = 0; i < expectedArgCount; ++i) args.push(argTypes[i + 2]['toWireType'](destructors, arguments[i]));
      var rv = cppInvokerFunc.apply(null, args);
      runDestructors(destructors);
      return argTypes[0]['fromWireType'](rv); // void's answers undefined
    };
  },
  $exposePublicSymbol__deps: ['$throwBindingError'],
  $exposePublicSymbol: function(name, value, numArguments) {
    if (Module.hasOwnProperty(name)) throwBindingError("Cannot register public name '" + name + "' twice");
    Module[name] = value;
  },
  $replacePublicSymbol__deps: [],
  $replacePublicSymbol: function(name, value, numArguments) {
    Module[name] = value;
  },
  // Embind 3.1.6 writes every integer as 'i' in a signature (int64_t is an
  // unbound type without WASM_BIGINT), so no signature needs the legacy
  // dynCall wrappers that Embind's version can build: the table's function.
  $embind__requireFunction__deps: ['$readLatin1String', '$throwBindingError', '$getWasmTableEntry'],
  $embind__requireFunction: function(signature, rawFunction) {
    var fp = getWasmTableEntry(rawFunction);
    if (typeof fp != 'function') throwBindingError('unknown function pointer with signature ' + readLatin1String(signature) + ': ' + rawFunction);
    return fp;
  },

  // std::string as UTF-8 text (Embind's own conversions); the tag passes
  // only strings, so not the bytes of an ArrayBuffer or typed array, which
  // are refused as any other non-string. std::basic_string<unsigned char>
  // (bytes, also registered by bind.cpp) is left unbound.
  _embind_register_std_string__deps: ['$readLatin1String', '$registerType', '$throwBindingError'],
  _embind_register_std_string: function(rawType, name) {
    name = readLatin1String(name);
    if (name !== 'std::string') return;
    registerType(rawType, {
      name: name,
      'fromWireType': function(value) {
        var length = HEAPU32[value >> 2];
        var str;
        var decodeStartPtr = value + 4;
        // Looping here to support possible embedded '0' bytes (as Embind does)
        for (var i = 0; i <= length; ++i) {
          var currentBytePtr = value + 4 + i;
          if (i == length || HEAPU8[currentBytePtr] == 0) {
            var stringSegment = UTF8ToString(decodeStartPtr, currentBytePtr - decodeStartPtr);
            str = str === undefined ? stringSegment : str + String.fromCharCode(0) + stringSegment;
            decodeStartPtr = currentBytePtr + 1;
          }
        }
        _free(value);
        return str;
      },
      'toWireType': function(destructors, value) {
        if (typeof value != 'string') throwBindingError('Cannot pass non-string to std::string');
        var length = lengthBytesUTF8(value);
        var ptr = _malloc(4 + length + 1);
        HEAPU32[ptr >> 2] = length;
        stringToUTF8(value, ptr + 4, length + 1);
        if (destructors !== null) destructors.push(_free, ptr);
        return ptr;
      },
      'argPackAdvance': 8,
    });
  },
  // Embind's error classes (BindingError, InternalError, UnboundTypeError),
  // as Embind makes them without dynamic execution: its named wrapper
  // function is anonymous there anyway.
  $extendError__deps: [],
  $extendError: function(baseErrorType, errorName) {
    var errorClass = function(message) {
      this.name = errorName;
      this.message = message;
      var stack = new Error(message).stack;
      if (stack !== undefined) this.stack = this.toString() + '\n' + stack.replace(/^Error(:[^\n]*)?\n/, '');
    };
    errorClass.prototype = Object.create(baseErrorType.prototype);
    errorClass.prototype.constructor = errorClass;
    errorClass.prototype.toString = function() {
      return this.message === undefined ? this.name : this.name + ': ' + this.message;
    };
    return errorClass;
  },

  // Only functions are queued to run at start (the wasm's constructors).
  $callRuntimeCallbacks__deps: [],
  $callRuntimeCallbacks: function(callbacks) {
    while (callbacks.length > 0) callbacks.shift()(Module);
  },
});
