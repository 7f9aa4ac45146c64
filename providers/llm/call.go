package llm

import (
	"context"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	openai "github.com/sashabaranov/go-openai"
)

func (p *provider) request(msgs []openai.ChatCompletionMessage, maxTokens int, s shape) openai.ChatCompletionRequest {
	req := openai.ChatCompletionRequest{Model: p.cfg.Model, Messages: msgs, MaxTokens: maxTokens}
	p.ask(&req, s)
	return req
}

// stream asks for the answer as a stream so progress can be shown and the hedge can tell
// a slow provider (no first token yet) from a busy one. It returns the text, the tokens
// used (reported, else estimated) and an error if the stream did not finish.
func (c *Chain) stream(ctx context.Context, p *provider, msgs []openai.ChatCompletionMessage,
	onFirst func(), progress func(Progress)) (string, int, error) {
	req := p.request(msgs, p.cfg.MaxTokens, planShape)
	req.StreamOptions = &openai.StreamOptions{IncludeUsage: true}
	var text strings.Builder
	usage := 0
	s, err := p.client.CreateChatCompletionStream(ctx, req)
	if err != nil {
		return "", estimateMessages(msgs), err
	}
	defer s.Close()
	finished, chars := false, 0
	for {
		chunk, err := s.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return text.String(), reported(chunk.Usage, msgs, text.String()), err
		}
		if chunk.Usage != nil && chunk.Usage.TotalTokens > 0 {
			usage = chunk.Usage.TotalTokens
		}
		for _, ch := range chunk.Choices {
			// In tools mode the answer streams as the arguments of the one call asked for.
			piece := ch.Delta.Content
			for _, tc := range ch.Delta.ToolCalls {
				if tc.Index == nil || *tc.Index == 0 {
					piece += tc.Function.Arguments
				}
			}
			if piece != "" {
				if chars == 0 {
					onFirst()
				}
				text.WriteString(piece)
				chars += utf8.RuneCountInString(piece)
				progress(Progress{Provider: p.cfg.Name, Chars: chars, Text: text.String()})
			}
			if ch.FinishReason != "" {
				finished = true
			}
		}
	}
	if usage == 0 {
		usage = estimateMessages(msgs) + estimateTokens(text.String())
	}
	if !finished {
		// A clean EOF without a finish reason: the connection was closed on us mid-answer.
		return text.String(), usage, ErrStreamCut
	}
	return text.String(), usage, nil
}

// complete is the plain request, for the repair round and extraction, where nobody
// watches the text grow.
func (c *Chain) complete(ctx context.Context, p *provider, msgs []openai.ChatCompletionMessage) (string, int, error) {
	return c.completeMax(ctx, p, msgs, p.cfg.MaxTokens, planShape)
}

func (c *Chain) completeMax(ctx context.Context, p *provider, msgs []openai.ChatCompletionMessage, maxTokens int, s shape) (string, int, error) {
	resp, err := p.client.CreateChatCompletion(ctx, p.request(msgs, maxTokens, s))
	if err != nil {
		return "", estimateMessages(msgs), err
	}
	if len(resp.Choices) == 0 {
		return "", reported(&resp.Usage, msgs, ""), invalidPlan([]string{"the reply has no choices"})
	}
	m := resp.Choices[0].Message
	var calls []openai.ToolCall
	if len(m.ToolCalls) > 0 {
		calls = m.ToolCalls[:1]
	}
	text := answerText(m.Content, calls)
	return text, reported(&resp.Usage, msgs, text), nil
}

func reported(u *openai.Usage, msgs []openai.ChatCompletionMessage, out string) int {
	if u != nil && u.TotalTokens > 0 {
		return u.TotalTokens
	}
	return estimateMessages(msgs) + estimateTokens(out)
}

func estimateMessages(msgs []openai.ChatCompletionMessage) int {
	n := 0
	for _, m := range msgs {
		n += estimateTokens(m.Content) + 4 // role and separators
	}
	return n
}
