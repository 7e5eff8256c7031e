#include "keyword_matcher.h"

#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

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

// Occurrences of `word` in `text`, overlapping ones included.
int Occurrences(const std::string& text, const std::string& word) {
  int n = 0;
  for (size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) ++n;
  return n;
}

// Requires `m` (built from `words`, ids in order) to report each keyword in `text` as
// often as a naive search finds it, and nothing else.
void RequireOccurrences(const KeywordMatcher& m, const std::vector<std::string>& words,
                        const std::string& text) {
  std::vector<int> count(words.size(), 0);
  m.Match(text, [&](int32_t id) {
    REQUIRE(id >= 0);
    REQUIRE(static_cast<size_t>(id) < words.size());
    ++count[static_cast<size_t>(id)];
  });
  for (size_t k = 0; k < words.size(); ++k) {
    INFO("text \"" << text << "\" keyword \"" << words[k] << "\"");
    REQUIRE(count[k] == Occurrences(text, words[k]));
  }
}

// Keywords and texts made of `pieces` (whole UTF-8 characters, or single bytes that split
// them), so that keywords overlap, nest and share prefixes and suffixes.
void CheckAgainstNaive(std::mt19937_64& rng, const std::vector<std::string>& pieces,
                       int max_keywords, int trials) {
  for (int trial = 0; trial < trials; ++trial) {
    KeywordMatcher m;
    std::vector<std::string> words;
    const int keywords = max_keywords / 2 + 1 +
                         static_cast<int>(rng() % static_cast<uint64_t>(max_keywords / 2 + 1));
    for (int k = 0; k < keywords; ++k) {
      std::string w;
      for (int c = 0; c < 1 + static_cast<int>(rng() % 5); ++c) w += pieces[rng() % pieces.size()];
      if (m.Add(w) == static_cast<int32_t>(words.size())) words.push_back(w);
    }
    m.Build();
    REQUIRE(m.keyword_count() == words.size());
    for (int t = 0; t < 20; ++t) {
      std::string text;
      for (int c = 0; c < static_cast<int>(rng() % 60); ++c) {
        // Now and then a byte no keyword may hold, to send the automaton back to the root.
        text += rng() % 10 == 0 ? std::string(1, static_cast<char>(rng() % 256))
                                : pieces[rng() % pieces.size()];
      }
      INFO("trial " << trial);
      RequireOccurrences(m, words, text);
    }
  }
}

// The matcher must report every occurrence, however keywords overlap; a keyword that is a
// suffix of another's prefix is what failure links exist for.
TEST_CASE("Reports every occurrence a naive search finds, in UTF-8 and in raw bytes") {
  std::mt19937_64 rng(11);
  SECTION("UTF-8 characters, common lead bytes") {
    CheckAgainstNaive(rng, {"想", "买", "手", "机", "【", "】", "你", "a", "b"}, 12, 300);
  }
  SECTION("bytes that split characters, and bytes at both ends of the range") {
    CheckAgainstNaive(rng, {"\xe4", "\xb9", "\xe4\xb9", std::string(1, '\0'), "\xff", "a", "ab"},
                      12, 300);
  }
  SECTION("keywords that all start with one byte (the matcher skips to it with memchr)") {
    for (int round = 0; round < 40; ++round) {
      // Pieces after the first are free; each keyword is "【" or "#" plus some of them.
      const std::string lead = round % 2 == 0 ? "【" : "#";
      KeywordMatcher m;
      std::vector<std::string> words;
      const std::vector<std::string> pieces = {"【", "】", "k", "1", "#", "\xe3", "你"};
      for (int k = 0; k < 1 + static_cast<int>(rng() % 6); ++k) {
        std::string w = lead;
        for (int c = 0; c < static_cast<int>(rng() % 4); ++c) w += pieces[rng() % pieces.size()];
        if (m.Add(w) == static_cast<int32_t>(words.size())) words.push_back(w);
      }
      m.Build();
      for (int t = 0; t < 30; ++t) {
        std::string text;
        for (int c = 0; c < static_cast<int>(rng() % 40); ++c)
          text += pieces[rng() % pieces.size()];
        RequireOccurrences(m, words, text);
      }
    }
  }
  SECTION("keywords that all start with a longer prefix (the matcher jumps past it)") {
    // Prefixes shorter than, as long as and longer than the 8 bytes the matcher compares
    // at once; a keyword may be the prefix itself. Texts hold the prefix, pieces of it
    // (near misses) and the prefix cut short by the end of the text.
    for (const std::string prefix : {"#a", "【k", "#abcdefg", "#abcdefgh", "【优惠券】ab"}) {
      for (int round = 0; round < 40; ++round) {
        KeywordMatcher m;
        std::vector<std::string> words;
        const std::vector<std::string> pieces = {
            prefix, prefix.substr(0, prefix.size() - 1), prefix.substr(0, 1), "1", "k", "】", "x"};
        for (int k = 0; k < 1 + static_cast<int>(rng() % 6); ++k) {
          std::string w = prefix;
          for (int c = 0; c < static_cast<int>(rng() % 3); ++c) {
            w += pieces[3 + rng() % (pieces.size() - 3)];
          }
          if (m.Add(w) == static_cast<int32_t>(words.size())) words.push_back(w);
        }
        m.Build();
        for (int t = 0; t < 30; ++t) {
          std::string text;
          for (int c = 0; c < static_cast<int>(rng() % 12); ++c)
            text += pieces[rng() % pieces.size()];
          RequireOccurrences(m, words, text);
        }
      }
    }
  }
  SECTION("many keywords: a larger automaton") {
    std::vector<std::string> pieces;
    for (const char* c : {"想", "买", "手", "机", "换", "价", "格", "优", "惠", "人", "工"}) {
      pieces.push_back(c);
    }
    for (char c = 'a'; c <= 'z'; ++c) pieces.push_back(std::string(1, c));
    CheckAgainstNaive(rng, pieces, 3000, 6);
  }
}

TEST_CASE("Nothing is found without keywords, or in an empty text") {
  KeywordMatcher none;
  none.Build();
  int calls = 0;
  none.Match("想买手机", [&](int32_t) { ++calls; });
  KeywordMatcher some;
  some.Add("手机");
  some.Build();
  some.Match("", [&](int32_t) { ++calls; });
  CHECK(calls == 0);
}

}  // namespace
}  // namespace allot::internal
