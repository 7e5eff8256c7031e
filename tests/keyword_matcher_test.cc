#include "keyword_matcher.h"

#include <catch2/catch.hpp>
#include <random>

namespace allot::internal {
namespace {

std::vector<bool> Found(const KeywordMatcher& m, const std::string& text) {
  std::vector<bool> found(m.keyword_count(), false);
  m.Match(text, [&](int32_t id) { found[id] = true; });
  return found;
}

TEST_CASE("Finds every keyword, overlapping and nested, in UTF-8 text") {
  KeywordMatcher m;
  const int32_t phone = m.Add("想买手机");
  const int32_t buy = m.Add("想买");
  const int32_t he = m.Add("he");
  const int32_t she = m.Add("she");
  const int32_t hers = m.Add("hers");
  CHECK(m.Add("想买") == buy);  // equal keywords share an id
  CHECK(m.Add("") == -1);
  m.Build();
  const std::vector<bool> found = Found(m, "我想买手机 ushers");
  CHECK(found[phone]);
  CHECK(found[buy]);
  CHECK(found[he]);
  CHECK(found[she]);
  CHECK(found[hers]);
  const std::vector<bool> none = Found(m, "想 买手 机 h e");
  CHECK(std::none_of(none.begin(), none.end(), [](bool b) { return b; }));
}

TEST_CASE("Agrees with a naive substring search on random texts") {
  std::mt19937_64 rng(3);
  for (int trial = 0; trial < 200; ++trial) {
    KeywordMatcher m;
    std::vector<std::string> words;
    for (int k = 0; k < 1 + static_cast<int>(rng() % 12); ++k) {
      std::string w;
      for (int c = 0; c < 1 + static_cast<int>(rng() % 4); ++c)
        w += static_cast<char>('a' + rng() % 3);
      if (m.Add(w) == static_cast<int32_t>(words.size())) words.push_back(w);
    }
    m.Build();
    std::string text;
    for (int c = 0; c < static_cast<int>(rng() % 40); ++c)
      text += static_cast<char>('a' + rng() % 3);
    const std::vector<bool> found = Found(m, text);
    for (size_t k = 0; k < words.size(); ++k) {
      INFO(text << " / " << words[k]);
      CHECK(found[k] == (text.find(words[k]) != std::string::npos));
    }
  }
}

}  // namespace
}  // namespace allot::internal
