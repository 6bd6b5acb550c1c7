import { Logger } from '@nestjs/common';
import { Producer } from 'kafkajs';
import { deadLetterTopic, Topic } from '@attest/contracts';

export interface DeadLetter {
  topic: Topic;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  reason: string;
  consumer: string;
}

/** Parks a message that cannot be applied on `<topic>.dlq`, with its reason, key and offset. */
export class DeadLetterPublisher {
  private readonly logger = new Logger(DeadLetterPublisher.name);

  constructor(private readonly producer: Producer) {}

  async publish(letter: DeadLetter): Promise<void> {
    this.logger.warn(
      `dead-lettering ${letter.topic}[${letter.partition}]@${letter.offset} for ${letter.consumer}: ${letter.reason}`,
    );
    await this.producer.send({
      topic: deadLetterTopic(letter.topic),
      acks: -1,
      messages: [
        {
          key: letter.key,
          value: letter.value,
          headers: {
            'x-dlq-reason': letter.reason.slice(0, 1000),
            'x-dlq-topic': letter.topic,
            'x-dlq-partition': String(letter.partition),
            'x-dlq-offset': letter.offset,
            'x-dlq-consumer': letter.consumer,
          },
        },
      ],
    });
  }
}
