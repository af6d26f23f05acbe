//===- PlanSVG.cpp - Draw a placement as buffers over time --------------===//
//
// Op index runs right, bytes run up; a buffer is the rectangle
// [first, last + 1) x [offset, offset + size). Each rectangle carries its
// numbers as data- attributes, so a test (or a script) can read the plan
// back from the picture, and a <title> for a viewer's tooltip.
//
//===----------------------------------------------------------------------===//

#include "tcc/Memory/Placement.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

using namespace tcc::memory;

static void escape(llvm::raw_ostream &os, llvm::StringRef text) {
  for (char c : text) {
    switch (c) {
    case '<':
      os << "&lt;";
      break;
    case '>':
      os << "&gt;";
      break;
    case '&':
      os << "&amp;";
      break;
    case '"':
      os << "&quot;";
      break;
    default:
      os << c;
    }
  }
}

void tcc::memory::writePlanSVG(llvm::raw_ostream &os, llvm::StringRef title,
                               const PlacementProblem &problem,
                               const Placement &placement,
                               llvm::ArrayRef<std::string> names) {
  const double width = 960, height = 540, left = 90, right = 20, top = 40,
               bottom = 50;
  int64_t ops = 1;
  for (const PlacementBuffer &buffer : problem.buffers)
    ops = std::max(ops, buffer.last + 1);
  int64_t bytes = std::max<int64_t>(placement.size, 1);
  int64_t lowerBound = liveBytesLowerBound(problem);
  double plotWidth = width - left - right, plotHeight = height - top - bottom;
  auto x = [&](int64_t op) {
    return left + plotWidth * double(op) / double(ops);
  };
  auto y = [&](int64_t byte) {
    return top + plotHeight * (1.0 - double(byte) / double(bytes));
  };

  os << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width
     << "\" height=\"" << height << "\" data-ops=\"" << ops << "\" data-size=\""
     << placement.size << "\" data-lower-bound=\"" << lowerBound << "\">\n";
  os << "<title>";
  escape(os, title);
  os << "</title>\n";
  os << "<text x=\"" << left
     << "\" y=\"24\" font-family=\"sans-serif\" "
        "font-size=\"14\">";
  escape(os, title);
  os << ": " << placement.size << " bytes, live-set lower bound " << lowerBound
     << "</text>\n";
  // Axes: ops along the bottom, bytes up the left.
  os << llvm::format("<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                     "y2=\"%.1f\" stroke=\"black\"/>\n",
                     left, y(0), width - right, y(0));
  os << llvm::format("<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                     "y2=\"%.1f\" stroke=\"black\"/>\n",
                     left, y(0), left, top);
  os << llvm::format("<text x=\"%.1f\" y=\"%.1f\" font-family=\"sans-serif\" "
                     "font-size=\"12\" text-anchor=\"middle\">op index (0 to "
                     "%lld)</text>\n",
                     left + plotWidth / 2, height - 15, (long long)ops);
  os << llvm::format("<text x=\"12\" y=\"%.1f\" font-family=\"sans-serif\" "
                     "font-size=\"12\">%lld B</text>\n",
                     top + 4, (long long)placement.size);
  os << llvm::format("<text x=\"12\" y=\"%.1f\" font-family=\"sans-serif\" "
                     "font-size=\"12\">0</text>\n",
                     y(0));

  for (auto [index, buffer] : llvm::enumerate(problem.buffers)) {
    int64_t offset = placement.offsets[index];
    // A spread of hues so neighbours differ.
    unsigned hue = unsigned(index * 137) % 360;
    os << llvm::format("<rect class=\"buffer\" x=\"%.2f\" y=\"%.2f\" "
                       "width=\"%.2f\" height=\"%.2f\" "
                       "fill=\"hsl(%u,60%%,65%%)\" stroke=\"black\" "
                       "stroke-width=\"0.3\"",
                       x(buffer.first), y(offset + buffer.size),
                       x(buffer.last + 1) - x(buffer.first),
                       y(offset) - y(offset + buffer.size), hue);
    os << " data-name=\"";
    escape(os, index < names.size() ? llvm::StringRef(names[index])
                                    : llvm::StringRef());
    os << "\" data-first=\"" << buffer.first << "\" data-last=\"" << buffer.last
       << "\" data-offset=\"" << offset << "\" data-size=\"" << buffer.size
       << "\"><title>";
    if (index < names.size())
      escape(os, names[index]);
    os << ": " << buffer.size << " bytes at " << offset << ", ops "
       << buffer.first << " to " << buffer.last << "</title></rect>\n";
  }
  os << llvm::format("<line class=\"lower-bound\" x1=\"%.1f\" y1=\"%.2f\" "
                     "x2=\"%.1f\" y2=\"%.2f\" stroke=\"red\" "
                     "stroke-dasharray=\"6,4\"/>\n",
                     left, y(lowerBound), width - right, y(lowerBound));
  os << "</svg>\n";
}
