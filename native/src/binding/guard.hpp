// Turns argument errors and allocation failures inside an entry point into JavaScript exceptions.
// Part of the N-API binding (binding.cpp), which includes it into its one translation unit.
#pragma once

#include <napi.h>

#include <exception>
#include <new>
#include <string>

#include "scalarArguments.hpp"

namespace {

Napi::Value throwArgumentError(const Napi::Env& env, const ArgumentError& e) {
  const std::string message = e.argument + ": expected " + e.expected + ", received " + e.received;
  Napi::Error error =
      e.range ? Napi::Error(Napi::RangeError::New(env, message)) : Napi::Error(Napi::TypeError::New(env, message));
  error.Value().Set("argument", Napi::String::New(env, e.argument));
  error.Value().Set("code", Napi::String::New(env, "ERR_PRHS_INVALID_ARGUMENT"));
  error.ThrowAsJavaScriptException();
  return env.Undefined();
}

// Wraps an entry point: argument errors and allocation failures become JavaScript exceptions.
template <Napi::Value (*Body)(const Napi::CallbackInfo&)>
Napi::Value guarded(const Napi::CallbackInfo& info) {
  try {
    return Body(info);
  } catch (const ArgumentError& e) {
    return throwArgumentError(info.Env(), e);
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::bad_alloc&) {
    Napi::RangeError::New(info.Env(), "prhs native: out of memory for this shape").ThrowAsJavaScriptException();
  } catch (const std::exception& e) {
    Napi::Error::New(info.Env(), std::string("prhs native: ") + e.what()).ThrowAsJavaScriptException();
  }
  return info.Env().Undefined();
}

}  // namespace
