#pragma once

#include "gateway/mapping/transform.h"

#include <memory>

/// The compile function of each transform, registered in transform_registry.cpp.
namespace gateway::mapping {

using TransformFactory = std::unique_ptr<Transform> (*)(const TransformOptions&, CompileContext&);

std::unique_ptr<Transform> compileTrim(const TransformOptions& options, CompileContext& context);
std::unique_ptr<Transform> compileHalfWidth(const TransformOptions& options, CompileContext& context);
std::unique_ptr<Transform> compileUpper(const TransformOptions& options, CompileContext& context);
std::unique_ptr<Transform> compileLower(const TransformOptions& options, CompileContext& context);
std::unique_ptr<Transform> compileRemoveSpaces(const TransformOptions& options, CompileContext& context);
std::unique_ptr<Transform> compileStripPrefix(const TransformOptions& options, CompileContext& context);
std::unique_ptr<Transform> compileDefault(const TransformOptions& options, CompileContext& context);
std::unique_ptr<Transform> compileConcat(const TransformOptions& options, CompileContext& context);
std::unique_ptr<Transform> compileRegexExtract(const TransformOptions& options, CompileContext& context);
std::unique_ptr<Transform> compileBlankIfMatch(const TransformOptions& options, CompileContext& context);

std::unique_ptr<Transform> compileDate(const TransformOptions& options, CompileContext& context);
std::unique_ptr<Transform> compileDatetime(const TransformOptions& options, CompileContext& context);
std::unique_ptr<Transform> compileCitizenId(const TransformOptions& options, CompileContext& context);
std::unique_ptr<Transform> compileSex(const TransformOptions& options, CompileContext& context);
std::unique_ptr<Transform> compileEthnicity(const TransformOptions& options, CompileContext& context);
std::unique_ptr<Transform> compileName(const TransformOptions& options, CompileContext& context);
std::unique_ptr<Transform> compileDivision(const TransformOptions& options, CompileContext& context);
std::unique_ptr<Transform> compileDivisionLookup(const TransformOptions& options, CompileContext& context);

std::unique_ptr<Transform> compileLookup(const TransformOptions& options, CompileContext& context);
std::unique_ptr<Transform> compileNumber(const TransformOptions& options, CompileContext& context);
std::unique_ptr<Transform> compileBoolean(const TransformOptions& options, CompileContext& context);

}  // namespace gateway::mapping
